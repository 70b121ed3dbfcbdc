package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The main job's log as shipped (Logback with the jar's logback.xml, a copy of config/logback.xml; not the tests'
 * logback-test.xml): every line starts with its date and time, a dispatch line names its command, the same lines go to
 * a file under ECPAY_LOG_DIR, ECPAY_LOG_FORMAT=json makes each one JSON object per line, and DEBUG leaves the
 * loggers that print resolved property values (secrets included) at INFO.
 */
class LogTimeStampTest {

    static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}([+-]\\d\\d:\\d\\d|Z)";
    static final ObjectMapper JSON = new ObjectMapper();

    /** Logs a plain line, a line about a command (MDC as the dispatcher sets it) and a property-resolution DEBUG line. */
    public static void main(String[] args) {
        LoggerFactory.getLogger(Application.class).info("ecpay-einvoice log line");
        MDC.put("commandId", "ERP-4711");
        MDC.put("operation", "B2CInvoice/Issue");
        MDC.put("merchant", "2000132");
        MDC.put("attempt", "2");
        LoggerFactory.getLogger("tw.einvoice.dispatch.Dispatcher").warn("dispatching failed");
        MDC.clear();
        LoggerFactory.getLogger("org.apache.camel.component.properties").debug("resolved value HIDDEN");
        LoggerFactory.getLogger(Application.class).debug("debug line");
    }

    @Test
    void everyLogLineOfTheMainJobStartsWithItsDateAndTime() throws Exception {
        Path dir = fresh("text");
        List<String> lines = run(dir, "text", "INFO");
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches(TIME + " \\[main\\] INFO tw\\.einvoice\\.app\\.Application - ecpay-einvoice log line"),
                lines.get(0));
        assertTrue(lines.get(1).matches(TIME + " \\[main\\] WARN tw\\.einvoice\\.journal\\.Dispatcher "
                + "\\[cmd=ERP-4711 op=B2CInvoice/Issue merchant=2000132 attempt=2\\] - dispatching failed"), lines.get(1));
        // the same lines in the rolling file
        assertEquals(lines, Files.readAllLines(dir.resolve("ecpay-einvoice.log")));
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheCommandFields() throws Exception {
        Path dir = fresh("json");
        List<String> lines = run(dir, "json", "INFO");
        assertEquals(2, lines.size(), String.join("\n", lines));
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("INFO", first.path("level").asText());
        assertEquals(Application.class.getName(), first.path("loggerName").asText());
        assertEquals("ecpay-einvoice log line", first.path("formattedMessage").asText());
        assertTrue(first.path("timestamp").asLong() > 0);
        JsonNode second = JSON.readTree(lines.get(1));
        assertEquals("ERP-4711", second.path("mdc").path("commandId").asText());
        assertEquals("B2CInvoice/Issue", second.path("mdc").path("operation").asText());
        assertEquals("2000132", second.path("mdc").path("merchant").asText());
        assertEquals("2", second.path("mdc").path("attempt").asText());
        assertEquals(lines, Files.readAllLines(dir.resolve("ecpay-einvoice.json")));
    }

    @Test
    void debugLeavesPropertyResolutionAtInfo() throws Exception {
        List<String> lines = run(fresh("debug"), "text", "DEBUG");
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" - debug line")), String.join("\n", lines));
        assertFalse(lines.stream().anyMatch(l -> l.contains("HIDDEN")), String.join("\n", lines));
    }

    static Path fresh(String name) throws Exception {
        Path dir = Path.of("target/log-config-test", name).toAbsolutePath();
        SecretsNotLoggedTest.deleteTree(dir);
        return dir;
    }

    /** Runs {@link #main} in a JVM of its own on the jar's logback.xml; its output lines (stdout and stderr). */
    static List<String> run(Path logDir, String format, String level) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a classpath resource name: the copy the jar carries, so the test also proves config/logback.xml is packaged
        ProcessBuilder pb = new ProcessBuilder(java, "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), LogTimeStampTest.class.getName()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("ECPAY_"));
        pb.environment().put("ECPAY_LOG_DIR", logDir.toString());
        pb.environment().put("ECPAY_LOG_FORMAT", format);
        pb.environment().put("ECPAY_LOG_LEVEL", level);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
