package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.query;

import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A million-line drop through the shipped route on a small fixed heap. Off by default (minutes of CPU); run with
 * {@code mvn test -Dtest=IntakeTortureTest -Dtorture=true -DargLine=-Xmx256m} (optionally -Dtorture.lines=N).
 * The journal is an H2 file database, as in the embedded default, so the rows do not live on the heap.
 */
@EnabledIfSystemProperty(named = "torture", matches = "true")
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:file:./target/intake-torture/journal/ecpay",
                "intake.file.inbox=target/intake-torture/inbox",
                "intake.file.archive-dir=target/intake-torture/archive",
                "intake.file.poll-ms=200", "intake.file.read-lock-check-ms=500", "intake.file.quiet-ms=500", "intake.results.period-ms=1000",
                "intake.reject-channel=file:target/intake-torture/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
class IntakeTortureTest {

    static final Path ROOT = Paths.get("target/intake-torture");

    static {
        IntakeFixtures.deleteTree(ROOT);
    }

    @BeanInject
    CamelContext context;

    @Test
    void aMillionLineDropGoesThroughOnASmallHeap() throws Exception {
        int lines = Integer.getInteger("torture.lines", 1_000_000);
        long maxHeap = Runtime.getRuntime().maxMemory();
        Files.createDirectories(ROOT.resolve("inbox"));
        Path part = ROOT.resolve("inbox/million.jsonl.part");
        try (BufferedWriter w = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= lines; i++) {
                if (i % 1000 == 0) {
                    w.write("{\"id\":\"m-" + i + "\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"PayType\":\"2\"}}\n");
                } else {
                    w.write("{\"id\":\"m-" + i + "\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"MTSR" + i
                            + "\",\"PayType\":\"2\"}}\n");
                }
            }
        }
        long size = Files.size(part);
        HeapWatch watch = new HeapWatch();
        watch.start();
        long start = System.nanoTime();
        Files.move(part, ROOT.resolve("inbox/million.jsonl"));
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        await("the million-line intake", 3_600_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'million.jsonl'") == 1);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> f = query(ds, "SELECT * FROM ecpay_intake_file").get(0);
        long rejected = lines / 1000;
        assertEquals((long) lines, ((Number) f.get("line_count")).longValue());
        assertEquals(lines - rejected, ((Number) f.get("inserted_count")).longValue());
        assertEquals(rejected, ((Number) f.get("rejected_count")).longValue());

        // the result files are written by streaming too
        long reportStart = System.nanoTime();
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE ecpay_command SET state = 'SUCCEEDED', last_rtn_code = 4000004, last_rtn_msg = 'ok'");
        }
        String stem = DropFormat.stem((String) f.get("source_name"));
        await("the result files", 3_600_000, () -> Files.exists(ROOT.resolve("archive").resolve(stem + ".result.jsonl")));
        double reportSeconds = (System.nanoTime() - reportStart) / 1e9;
        watch.interrupt();
        System.out.printf("TORTURE %d lines (%.1f MB): intake %.1f s (%.0f lines/s), settle all + results %.1f s; max heap %d MB, "
                        + "peak heap used %d MB, peak heap left after a collection %d MB%n", lines, size / 1e6, seconds, lines / seconds,
                reportSeconds, maxHeap >> 20, watch.peak >> 20, watch.peakAfterGc >> 20);
        assertTrue(watch.peak < maxHeap);
    }

    /** Samples the heap in use (all heap pools) every 50 ms. */
    static final class HeapWatch extends Thread {
        volatile long peak;
        volatile long peakAfterGc;

        HeapWatch() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                long used = 0;
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP) {
                        used += pool.getUsage().getUsed();
                        if (pool.getCollectionUsage() != null) {
                            live += pool.getCollectionUsage().getUsed();
                        }
                    }
                }
                peak = Math.max(peak, used);
                peakAfterGc = Math.max(peakAfterGc, live);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
