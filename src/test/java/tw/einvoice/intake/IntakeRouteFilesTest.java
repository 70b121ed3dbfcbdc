package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The intake route files depend one way: intake-sftp.camel.yaml builds on intake-file.camel.yaml, which knows nothing
 * of SFTP; and every SFTP connection takes its options from the one key intake.sftp.connection.
 */
class IntakeRouteFilesTest {

    @Test
    void theFileIntakeKnowsNothingOfSftp() throws Exception {
        String file = Files.readString(Path.of("routes/intake-file.camel.yaml")).toLowerCase(Locale.ROOT);
        assertFalse(file.contains("sftp"), "routes/intake-file.camel.yaml names SFTP");
    }

    @Test
    void everySftpEndpointTakesTheOneConnectionKey() throws Exception {
        String sftp = Files.readString(Path.of("routes/intake-sftp.camel.yaml"));
        Matcher uri = Pattern.compile("uri: \"sftp:[^\"]*\"").matcher(sftp);
        int endpoints = 0;
        while (uri.find()) {
            endpoints++;
            assertTrue(uri.group().contains("?{{intake.sftp.connection}}"), uri.group());
            assertFalse(uri.group().contains("username=") || uri.group().contains("knownHostsFile="), uri.group());
        }
        assertEquals(2, endpoints, "the poll and the upload");
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:config/application.properties");
            String options = context.resolvePropertyPlaceholders("{{intake.sftp.connection}}");
            assertFalse(options.contains(" "), "continued lines join without blanks: " + options);
            for (String option : new String[] {"strictHostKeyChecking=yes", "useUserKnownHostsFile=false",
                    "maximumReconnectAttempts=0", "password=RAW(", "privateKeyPassphrase=RAW(", "binary=true"}) {
                assertTrue(options.contains(option), option + " in " + options);
            }
        }
    }
}
