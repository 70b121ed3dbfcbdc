package tw.einvoice.intake;

import com.jcraft.jsch.JSch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.remote.RemoteFileConsumer;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the link to the partner's SFTP server, shared by the intake poll and the result upload:
 * <ul>
 * <li>a failure is said in one sentence, once per change of state (down, login refused, host key refused, back again),
 * never once per poll;</li>
 * <li>after a failure nothing connects until a back-off has passed: growing from the poll interval up to
 * {@code retryMax} when the server is unreachable, {@code loginRetry} (long) when it refused the login or its host key
 * (retrying a wrong password only risks a lockout at the partner), unless the known-hosts or private-key file changes,
 * which is retried at once;</li>
 * <li>as the consumers' exception handler it keeps Camel's own "Failed polling endpoint" WARN and stack trace out of
 * the log for failures already said (Camel 4.18 hands them over even when the poll strategy has dealt with them);
 * other errors are logged as Camel would.</li>
 * </ul>
 * Health check {@code ecpay/sftp} ({@link SftpHealthCheck}) reads this state.
 */
public class SftpPollStrategy extends QuietPollErrors implements PollingConsumerPollStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SftpPollStrategy.class);

    public SftpPollStrategy() {
        // errors not said already are logged as Camel logs them for this consumer
        super(RemoteFileConsumer.class);
    }

    /** What went wrong, as far as the back-off is concerned. */
    public enum Problem {
        /** refused, timed out, reset: try again soon, then less often */
        UNREACHABLE,
        /** wrong user, password or key: try again only after a long pause or a changed key file */
        LOGIN,
        /** unknown or changed host key: try again after a long pause or a changed known-hosts file */
        HOST_KEY,
        /** anything else (a missing folder, permissions): like UNREACHABLE */
        OTHER
    }

    /** Thrown instead of connecting while a back-off runs: the poll counts as failed (health DOWN), nothing is logged. */
    public static final class Paused extends RuntimeException {
        Paused(String message) {
            super(message, null, false, false);
        }
    }

    private String knownHostsFile = "";
    private String privateKeyFile = "";
    private String password = "";
    private String server = "";
    private String directory = "";
    private long pollMillis = 10_000;
    private Duration retryMax = Duration.ofMinutes(2);
    private Duration loginRetry = Duration.ofMinutes(30);

    // state, guarded by this
    private Problem problem;
    private String lastError;
    private Instant since;
    private Instant nextAttempt = Instant.MIN;
    private long backoffMillis;
    private long failedAttempts;
    private long skipped;
    private long configStamp;
    private Throwable lastCause;
    private Instant lastSuccess;
    private boolean authConfigured;
    private String uploadError;
    private Instant uploadNextAttempt = Instant.MIN;
    private long uploadBackoffMillis;

    // --- poll strategy of the intake consumer ----------------------------------------------------------------------

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        configureLogins();
        String pausedFor = claimAttempt();
        if (pausedFor == null) {
            return true;
        }
        // a failed poll, not a skipped one: Camel's consumer health check stays DOWN as well
        throw new Paused(pausedFor);
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        succeeded("poll");
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        if (cause instanceof Paused) {
            return false;
        }
        // no forced disconnect: the next poll checks the session (a no-op request) and connects again if it broke
        failed(cause);
        return false;
    }

    /**
     * Before each upload: only while the intake poll finds the server working (the poll alone probes a server that is
     * down, so uploads add no connection attempts and no log lines), and not during the back-off after an upload that
     * failed for a reason of its own (say the results folder cannot be written).
     */
    public synchronized boolean uploadDue() {
        configureLogins();
        return problem == null && (uploadError == null || !Instant.now().isBefore(uploadNextAttempt));
    }

    /**
     * Which version of a file in the upload folder is about to be sent: a newer copy of the same name (a progress file
     * rewritten meanwhile) is another file, with another key. Taken before the upload opens the file.
     */
    public String version(String localFile) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(Paths.get(localFile),
                java.nio.file.attribute.BasicFileAttributes.class);
        // the inode where the file system has one; else time and size
        return a.fileKey() != null ? a.fileKey().toString() : a.lastModifiedTime().toMillis() + "/" + a.size();
    }

    /**
     * A result file reached the server: it leaves the upload folder, unless a newer copy of it replaced it while it was
     * sent; that one stays for the next round (deleting it would leave the server with the older copy for good).
     */
    public void uploaded(String localFile, String sentVersion) throws IOException {
        Path path = Paths.get(localFile);
        // taken out of the folder whole first (a dot name: the upload route skips it), so a copy renamed in meanwhile
        // is either the one taken out or still in place, never deleted by mistake
        Path taken = path.resolveSibling(".sent-" + path.getFileName());
        try {
            Files.move(path, taken, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException gone) {
            taken = null;
        }
        if (taken != null && sentVersion != null && !version(taken.toString()).equals(sentVersion)) {
            try {
                Files.move(taken, path); // a newer copy than the one sent: back in the folder for the next round
                taken = null;
            } catch (java.nio.file.FileAlreadyExistsException newerStill) {
                // an even newer copy is in place: the one taken out is older than it, and goes
            }
        }
        if (taken != null) {
            Files.deleteIfExists(taken);
        }
        synchronized (this) {
            if (uploadError != null) {
                LOG.info("SFTP {}: result files are uploaded again", server);
                uploadError = null;
                uploadBackoffMillis = 0;
            }
        }
        succeeded("upload");
    }

    /** A result file did not reach the server: noted (said once per change of state); the file waits for a later round. */
    public void uploadFailed(Exception cause) {
        if (classify(cause) != Problem.OTHER) {
            failed(cause); // the server itself: the intake poll probes it from now on
            return;
        }
        synchronized (this) {
            String sentence = "SFTP upload of result files to " + server + " failed: " + firstLine(chain(cause))
                    + " (check intake.sftp.results-dir and its permissions); the files wait in the upload folder";
            long max = Math.max(pollMillis, retryMax.toMillis());
            uploadBackoffMillis = uploadBackoffMillis == 0 ? pollMillis : Math.min(max, uploadBackoffMillis * 2);
            uploadNextAttempt = Instant.now().plusMillis(uploadBackoffMillis);
            if (!sentence.equals(uploadError)) {
                LOG.error("{}; trying again less and less often, at most every {}; health check ecpay/sftp is DOWN meanwhile.",
                        sentence, Duration.ofMillis(max));
            }
            uploadError = sentence;
        }
    }

    @Override
    protected synchronized boolean alreadySaid(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Paused || t == lastCause) {
                return true;
            }
        }
        return false;
    }

    // --- state ----------------------------------------------------------------------------------------------------------

    /** Null when a connection may be tried now (and then no other consumer tries until it ends), else why not. */
    private synchronized String claimAttempt() {
        if (problem == null) {
            return null;
        }
        Instant now = Instant.now();
        if ((problem == Problem.LOGIN || problem == Problem.HOST_KEY) && configStamp() != configStamp) {
            LOG.info("SFTP {}: the known-hosts or private-key file changed; trying again now", server);
            configStamp = configStamp();
            nextAttempt = now;
        }
        if (now.isBefore(nextAttempt)) {
            skipped++;
            return lastError + " (paused until " + nextAttempt + ")";
        }
        // this attempt holds the slot; a failure sets the next one
        nextAttempt = now.plusMillis(backoffMillis);
        return null;
    }

    private synchronized void failed(Throwable cause) {
        Problem kind = classify(cause);
        String sentence = describe(cause);
        failedAttempts++;
        lastCause = cause;
        // one line per change of state: the same problem with another detail (a dropped session, then a refused
        // connection) is the same outage
        boolean changed = kind != problem;
        if (problem == null) {
            since = Instant.now();
        }
        if (kind != problem) {
            backoffMillis = 0;
        }
        if (kind == Problem.LOGIN || kind == Problem.HOST_KEY) {
            backoffMillis = loginRetry.toMillis();
            configStamp = configStamp();
        } else {
            long max = Math.max(pollMillis, retryMax.toMillis());
            backoffMillis = backoffMillis == 0 ? pollMillis : Math.min(max, backoffMillis * 2);
        }
        problem = kind;
        lastError = sentence;
        nextAttempt = Instant.now().plusMillis(backoffMillis);
        if (changed) {
            String then = kind == Problem.LOGIN || kind == Problem.HOST_KEY
                    ? "No new login before " + loginRetry + " has passed or that file changes"
                    : "Trying again less and less often, at most every " + Duration.ofMillis(Math.max(pollMillis,
                    retryMax.toMillis()));
            LOG.error("{} {}; health check ecpay/sftp is DOWN meanwhile.", sentence, then);
        } else {
            LOG.debug("{}", sentence);
        }
    }

    private synchronized void succeeded(String what) {
        lastSuccess = Instant.now();
        if (problem == null) {
            return;
        }
        LOG.info("SFTP {} works again ({} succeeded after {} s down, {} failed attempts, {} polls skipped)",
                server, what, Duration.between(since, lastSuccess).toSeconds(), failedAttempts, skipped);
        problem = null;
        lastError = null;
        lastCause = null;
        since = null;
        nextAttempt = Instant.MIN;
        backoffMillis = 0;
        failedAttempts = 0;
        skipped = 0;
    }

    static Problem classify(Throwable cause) {
        String lower = chain(cause).toLowerCase(Locale.ROOT);
        if (lower.contains("unknownhostkey") || lower.contains("reject hostkey") || lower.contains("hostkey has been changed")
                || lower.contains("host key has been changed")) {
            return Problem.HOST_KEY;
        }
        if (lower.contains("auth fail") || lower.contains("auth cancel") || lower.contains("too many authentication failures")
                || lower.contains("userauth fail")) {
            return Problem.LOGIN;
        }
        if (lower.contains("no such file") || lower.contains("permission denied")) {
            return Problem.OTHER;
        }
        return Problem.UNREACHABLE;
    }

    String describe(Throwable cause) {
        String all = chain(cause);
        switch (classify(cause)) {
            case HOST_KEY:
                return "SFTP intake from " + server + " refused: the server's host key is not the one in known-hosts file '"
                        + knownHostsFile + "' (" + firstLine(all) + "). Nothing was read. If the server is the right one, add "
                        + "its key: ssh-keyscan -p <port> <host> >> " + knownHostsFile + ".";
            case LOGIN:
                return "SFTP intake from " + server + " refused: login failed (" + firstLine(all) + "; check intake.sftp.user "
                        + "and the password or private key).";
            case OTHER:
                return "SFTP intake from " + server + " failed: " + firstLine(all) + " (the polled folder '" + directory
                        + "' must exist, relative to the login folder unless absolute).";
            default:
                return "SFTP intake from " + server + " failed: server unreachable (" + rootMessage(cause) + ").";
        }
    }

    private static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(c.getMessage());
        }
        return sb.toString();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return firstLine(root.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Content of the files a login depends on: a change means someone fixed something. */
    private long configStamp() {
        return 31L * hash(knownHostsFile) + hash(privateKeyFile);
    }

    private static long hash(String file) {
        if (file == null || file.isBlank()) {
            return 0;
        }
        try {
            return Arrays.hashCode(Files.readAllBytes(Paths.get(file)));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Each configured credential is tried once per connection. JSch otherwise repeats the same wrong password until
     * its MaxAuthTries (6) and OpenSSH answers "Too many authentication failures" - 6 failed logins a connection at the
     * partner's fail2ban. camel-ftp has no option for it: JSch's global default is set (it serves only this route).
     */
    private synchronized void configureLogins() {
        if (authConfigured) {
            return;
        }
        int credentials = (password == null || password.isEmpty() ? 0 : 1) + (privateKeyFile == null || privateKeyFile.isBlank() ? 0 : 1);
        JSch.setConfig("MaxAuthTries", Integer.toString(Math.max(1, credentials)));
        authConfigured = true;
    }

    // --- read by the health check and the tests ------------------------------------------------------------------------

    /** The last failure's sentence, or null while the server works. */
    public synchronized String getLastError() {
        return lastError;
    }

    /** Why result files could not be uploaded although the server answers, or null. */
    public synchronized String getUploadError() {
        return uploadError;
    }

    public synchronized Problem getProblem() {
        return problem;
    }

    public synchronized Instant getSince() {
        return since;
    }

    public synchronized Instant getNextAttempt() {
        return problem == null ? null : nextAttempt;
    }

    public synchronized long getFailedAttempts() {
        return failedAttempts;
    }

    public synchronized Instant getLastSuccess() {
        return lastSuccess;
    }

    public String getServer() {
        return server;
    }

    // --- configuration ----------------------------------------------------------------------------------------------------

    public void setKnownHostsFile(String knownHostsFile) {
        this.knownHostsFile = knownHostsFile;
    }

    public void setPrivateKeyFile(String privateKeyFile) {
        this.privateKeyFile = privateKeyFile;
    }

    /** Only whether one is set matters (never logged). */
    public void setPassword(String password) {
        this.password = password;
    }

    public void setServer(String server) {
        this.server = server;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }

    /** The first back-off after a failure: the poll interval. */
    public void setPollMillis(long pollMillis) {
        this.pollMillis = Math.max(1, pollMillis);
    }

    /** The longest back-off while the server is unreachable (ISO-8601, e.g. PT2M). */
    public void setRetryMax(String retryMax) {
        this.retryMax = Duration.parse(retryMax);
    }

    /** The back-off after a refused login or host key (ISO-8601, e.g. PT30M). */
    public void setLoginRetry(String loginRetry) {
        this.loginRetry = Duration.parse(loginRetry);
    }

    public Duration getLoginRetry() {
        return loginRetry;
    }
}
