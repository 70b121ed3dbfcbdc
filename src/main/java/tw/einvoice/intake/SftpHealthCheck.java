package tw.einvoice.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Health check {@code ecpay/sftp}: DOWN while the partner's SFTP server cannot be used (unreachable, login or host key
 * refused), with the sentence the log gave, since when and the next attempt; UP otherwise, with the result files
 * waiting to be uploaded. UP with {@code enabled=false} when SFTP intake is off.
 */
public class SftpHealthCheck extends AbstractHealthCheck {

    private final SftpPollStrategy link;
    private boolean intakeEnabled;
    private String uploadDir = "";

    public SftpHealthCheck(SftpPollStrategy link) {
        super("ecpay", "sftp");
        this.link = link;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("enabled", intakeEnabled);
        if (!intakeEnabled) {
            builder.up();
            return;
        }
        builder.detail("server", link.getServer());
        builder.detail("uploads.waiting", waiting());
        if (link.getLastSuccess() != null) {
            builder.detail("last.success", link.getLastSuccess().toString());
        }
        String error = link.getLastError();
        if (error == null) {
            String upload = link.getUploadError();
            if (upload == null) {
                builder.up();
            } else {
                builder.detail("problem", "upload");
                builder.message(upload).down();
            }
            return;
        }
        builder.detail("problem", link.getProblem().name().toLowerCase(java.util.Locale.ROOT));
        builder.detail("since", String.valueOf(link.getSince()));
        builder.detail("next.attempt", String.valueOf(link.getNextAttempt()));
        builder.detail("failed.attempts", link.getFailedAttempts());
        builder.message(error).down();
    }

    private long waiting() {
        if (uploadDir.isBlank()) {
            return 0;
        }
        Path dir = Paths.get(uploadDir);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    public void setIntakeEnabled(boolean intakeEnabled) {
        this.intakeEnabled = intakeEnabled;
    }

    public void setUploadDir(String uploadDir) {
        this.uploadDir = uploadDir;
    }
}
