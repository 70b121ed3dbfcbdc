package tw.einvoice.intake;

import java.util.Locale;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says plainly why an SFTP poll failed. An unknown or changed host key gets one clear sentence naming the known-hosts
 * file and how to fill it, instead of a JSch stack trace; the poll is not retried at once (the next poll tries again).
 */
public class SftpPollStrategy implements PollingConsumerPollStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SftpPollStrategy.class);

    private String knownHostsFile = "";
    private String server = "";
    private volatile String lastError;

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        lastError = null;
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        String message = describe(cause);
        if (!message.equals(lastError)) {
            LOG.error(message);
        }
        lastError = message;
        return false;
    }

    String describe(Exception cause) {
        String all = chain(cause);
        String lower = all.toLowerCase(Locale.ROOT);
        if (lower.contains("unknownhostkey") || lower.contains("reject hostkey") || lower.contains("hostkey has been changed")) {
            return "SFTP intake from " + server + " refused: the server's host key is not the one in known-hosts file '"
                    + knownHostsFile + "' (" + firstLine(all) + "). Nothing was read. If the server is the right one, add "
                    + "its key: ssh-keyscan -p <port> <host> >> " + knownHostsFile;
        }
        if (lower.contains("auth fail") || lower.contains("auth cancel")) {
            return "SFTP intake from " + server + " refused: login failed (check intake.sftp.user and the password or "
                    + "private key)";
        }
        return "SFTP intake from " + server + " failed: " + firstLine(all);
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

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The last failure's sentence, or null after a good poll. */
    public String getLastError() {
        return lastError;
    }

    public void setKnownHostsFile(String knownHostsFile) {
        this.knownHostsFile = knownHostsFile;
    }

    public void setServer(String server) {
        this.server = server;
    }
}
