package tw.einvoice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Completion;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.EcpayCallback;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.testing.MutableClock;
import tw.einvoice.testing.TestDatabases;

/** The console's read-only statements on H2, PostgreSQL and MariaDB: counts, minute buckets, search with LIKE escapes, alerts. */
class ConsoleQueriesTest {

    // 2026-11-30 10:00 in Taipei
    static final Instant T0 = Instant.parse("2026-11-30T02:00:00Z");

    static Command issue(String relate, String remark) {
        return Command.parse("{\"id\":\"" + relate + "\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"" + relate
                + "\",\"CustomerEmail\":\"a@example.com\",\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":100,"
                + "\"InvType\":\"07\",\"InvoiceRemark\":\"" + remark + "\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":1,"
                + "\"ItemWord\":\"pc\",\"ItemPrice\":100,\"ItemTaxType\":\"1\",\"ItemAmount\":100}]}}", OperationCatalog.standard(), "2000132");
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    @SuppressWarnings("unchecked")
    void overviewBatchesSearchAndDeadLettersReadTheJournal(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(4)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            journal.insert(issue("REL-OK", "100% off_sale"), new Source("file", "drop-1.jsonl", "1"));
            journal.insert(issue("REL-DEAD", "plain"), new Source("file", "drop-1.jsonl", "2"));
            journal.insert(issue("REL-KEY", "plain"), new Source("sql", "ecpay_inbox", "REL-KEY"));
            journal.insert(issue("REL-WAIT", "plain"), new Source("sql", "ecpay_inbox", "REL-WAIT"));
            clock.advance(Duration.ofSeconds(90));
            for (Claim c : journal.claimDue("test", 10, Duration.ofMinutes(1))) {
                Completion done = switch (c.id()) {
                    case "REL-OK" -> new Completion(CommandState.SUCCEEDED, Journal.utc(clock.instant()), true, "RtnCode 1", 200, 1, 1,
                            "開立發票成功", "{\"InvoiceNo\":\"AB12345678\"}");
                    case "REL-DEAD" -> new Completion(CommandState.DEAD, Journal.utc(clock.instant()), true, "track numbers used up", 200,
                            1, 1100040, "字軌不足", null);
                    case "REL-KEY" -> new Completion(CommandState.DEAD, Journal.utc(clock.instant()), false, "wrong HashKey", 500, 110,
                            null, null, null);
                    default -> null;
                };
                if (done == null) {
                    journal.release(c);
                } else {
                    journal.complete(c, done);
                }
            }
            journal.pauseMerchant("2000132", Journal.utc(clock.instant()).plusMinutes(30), "HTTP 403");
            clock.advance(Duration.ofMinutes(2));

            ConsoleQueries q = new ConsoleQueries(ds, clock);
            Map<String, Object> o = q.overview(1, Set.of(104, 110, 115), Set.of(1100040), Duration.ofMinutes(1));
            assertEquals(Map.of("SUCCEEDED", 1L, "DEAD", 2L, "NEW", 1L), o.get("statesTotal"));
            assertEquals(o.get("statesTotal"), o.get("statesToday"), "all made today, Taipei time");
            assertEquals(1L, ((Map<String, Long>) o.get("invoicesTotal")).get("issued"));
            List<Map<String, Object>> calls = (List<Map<String, Object>>) o.get("callsPerMinute");
            assertEquals(61, calls.size());
            long minuteOfCalls = calls.stream().filter(p -> p.get("minute").equals("2026-11-30T02:01:00Z"))
                    .mapToLong(p -> (Long) p.get("calls")).sum();
            assertEquals(3, minuteOfCalls, "three attempts ended at 02:01:30 UTC: " + calls);
            Map<String, Object> alerts = (Map<String, Object>) o.get("alerts");
            assertEquals(1, ((List<?>) alerts.get("pausedMerchants")).size());
            List<Map<String, Object>> dead = (List<Map<String, Object>>) alerts.get("deadNeedingPerson");
            assertEquals(2, dead.size(), "TransCode 110 and RtnCode 1100040: " + dead);
            Map<String, Object> waiting = (Map<String, Object>) alerts.get("oldestWaiting");
            assertEquals("REL-WAIT", waiting.get("id"));
            assertEquals(Boolean.TRUE, waiting.get("needsPerson"));

            assertEquals(List.of("REL-OK"), ids(q.searchCommands("REL-OK", null, null, null, null, null, 10)));
            assertEquals(List.of("REL-OK"), ids(q.searchCommands("AB12345678", null, null, null, null, null, 10)), "by InvoiceNo in the reply");
            assertEquals(List.of("REL-OK"), ids(q.searchCommands("100% off_", null, null, null, null, null, 10)), "% and _ taken literally");
            assertEquals(List.of(), ids(q.searchCommands("1_0%", null, null, null, null, null, 10)));
            assertEquals(2, q.searchCommands(null, "DEAD", "B2CInvoice/Issue", "2000132", LocalDate.of(2026, 11, 30), null, 10).size());
            assertEquals(0, q.searchCommands(null, null, null, null, LocalDate.of(2026, 11, 29), null, 10).size(), "Taipei's day");
            assertEquals(2, q.searchCommands(null, null, null, null, null, "ecpay_inbox", 10).size());

            Map<String, Object> c = q.command("REL-OK");
            assertEquals("SUCCEEDED", c.get("state"));
            assertTrue(((String) c.get("payload")).contains("100% off_sale"));
            assertNotNull(c.get("updated_at"));
            assertNull(q.command("nope"));

            Map<String, Object> b = q.batches(10, List.of("ecpay_inbox", "unused_source"));
            List<Map<String, Object>> sql = (List<Map<String, Object>>) b.get("sql");
            assertEquals(1, sql.size(), "a source that never delivered is left out");
            Map<String, Object> p = (Map<String, Object>) sql.get(0).get("progress");
            assertEquals(2L, p.get("journaled"));
            assertEquals(1L, p.get("dead"));
            assertEquals(1L, p.get("waiting"));
            assertEquals(50, p.get("percent"));

            Map<String, Object> d = q.deadLetters();
            assertEquals(2, ((List<?>) d.get("groups")).size());
            assertEquals(2, ((List<?>) d.get("commands")).size());

            // ECPay's callbacks of a command are on its page (docs/callbacks.md)
            journal.insert(Command.parse("{\"id\":\"DLY-1\",\"operation\":\"B2CInvoice/DelayIssue\",\"data\":{"
                    + "\"RelateNumber\":\"REL-DLY\",\"Tsr\":\"T-DLY-1\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\","
                    + "\"DelayFlag\":\"2\",\"DelayDay\":0,\"CustomerEmail\":\"b@example.com\",\"Print\":\"0\","
                    + "\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":100,\"InvType\":\"07\",\"Items\":[{"
                    + "\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":1,\"ItemWord\":\"支\",\"ItemPrice\":100,"
                    + "\"ItemAmount\":100}]}}", OperationCatalog.standard(), "2000132"), null);
            assertEquals(List.of(), q.command("DLY-1").get("callbacks"));
            journal.recordCallback(EcpayCallback.parse(EcpayCallback.Kind.DELAY_ISSUE,
                    "MerchantID=2000132&Tsr=T-DLY-1&RtnCode=1&InvoiceNo=AB00000001&CheckMacValue=X"), "2000132", true, null, "127.0.0.1:1");
            List<Map<String, Object>> callbacks = (List<Map<String, Object>>) q.command("DLY-1").get("callbacks");
            assertEquals(1, callbacks.size());
            assertEquals("AB00000001", callbacks.get(0).get("invoice_no"));
            assertEquals("DelayIssue", callbacks.get(0).get("kind"));
        }
    }

    static List<Object> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> r.get("id")).toList();
    }
}
