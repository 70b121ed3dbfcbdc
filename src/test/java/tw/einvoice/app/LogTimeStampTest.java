package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The main job's log lines (./run.sh: slf4j-simple with src/main/resources/simplelogger.properties, not the tests'
 * settings) start with a date and time.
 */
class LogTimeStampTest {

    /** Logs one line, in a JVM of its own whose classpath puts the shipped log settings first. */
    public static void main(String[] args) {
        LoggerFactory.getLogger(Application.class).info("ecpay-einvoice log line");
    }

    @Test
    void everyLogLineOfTheMainJobStartsWithItsDateAndTime() throws Exception {
        List<String> cp = new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        String main = Path.of("target/classes").toAbsolutePath().toString();
        cp.removeIf(e -> Path.of(e).toAbsolutePath().toString().equals(main));
        cp.add(0, main);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), LogTimeStampTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}([+-]\\d\\d:\\d\\d|Z) \\[main\\] INFO "
                + "tw\\.einvoice\\.app\\.Application - ecpay-einvoice log line"), out);
    }
}
