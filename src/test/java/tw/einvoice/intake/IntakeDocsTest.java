package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** What the docs say about where rejected lines and rows go is what the shipped configuration does. */
class IntakeDocsTest {

    @Test
    void theReadmeNamesTheDeadLetterFolderTheConfigurationUses() throws Exception {
        String deadLetter;
        String rejects;
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:config/application.properties");
            deadLetter = context.resolvePropertyPlaceholders("{{ecpay.channel.dead-letter}}");
            rejects = context.resolvePropertyPlaceholders("{{intake.reject-channel}}");
        }
        if (System.getenv("ECPAY_CHANNEL_DEAD_LETTER") == null) {
            assertEquals("file:work/outbox/dead-letter?tempPrefix=.writing-", deadLetter);
        }
        assertEquals(deadLetter, rejects, "rejected lines go to the dead-letter channel");
        String files = Files.readString(Paths.get("docs/intake-files.md"));
        String database = Files.readString(Paths.get("docs/database-intake.md"));
        assertTrue(files.contains("`work/outbox/dead-letter/<source_name>.line-<n>.reject.json`"), "docs/intake-files.md: rejected lines");
        assertTrue(database.contains("a file per row in `work/outbox/dead-letter/`"), "docs/database-intake.md: rejected rows");
        for (String doc : new String[] {files, database, Files.readString(Paths.get("README.md"))}) {
            assertFalse(Pattern.compile("(?<!outbox/)work/dead-letter").matcher(doc).find(),
                    "the docs still name work/dead-letter, where nothing is written by default");
        }
    }
}
