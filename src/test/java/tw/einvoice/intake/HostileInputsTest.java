package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * The corpus of hostile inputs under {@code src/test/resources/hostile/} (see its README.md): each case folder holds an
 * input file and {@code expect.properties}; each is dropped into the inbox of the shipped file route, dispatched to the
 * local ECPay sandbox, and must get the outcome it names. Besides what a case names, every case is held to what must
 * hold for any input: every line reported once, no CSV cell a spreadsheet would run, the rejects file and dead letters
 * matching the rejected lines, the line's own id and operation kept, and no raw control character in the log.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                + "file:routes/dispatch.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:hostile;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/hostile/inbox", "intake.file.archive-dir=target/hostile/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=100", "intake.file.quiet-ms=" + HostileInputsTest.QUIET_MS,
                "intake.results.period-ms=200",
                "ecpay.result-codes=src/test/resources/dispatch/result-codes-fast.properties",
                "ecpay.channel.success=file:target/hostile/outbox/success?tempPrefix=.writing-",
                "ecpay.channel.dead-letter=file:target/hostile/outbox/dead-letter?tempPrefix=.writing-",
                "ecpay.dispatch.poll-interval=50", "ecpay.dispatch.initial-delay=0", "ecpay.dispatch.lease=PT5S",
                "ecpay.dispatch.backoff-base=20ms", "ecpay.dispatch.backoff-cap=200ms", "ecpay.dispatch.unknown-delay=50ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputsTest {

    static final int QUIET_MS = 300;
    static final Path CORPUS = Paths.get("src/test/resources/hostile");
    static final Path ROOT = Paths.get("target/hostile");
    static final Path INBOX = ROOT.resolve("inbox");
    static final Path ARCHIVE = ROOT.resolve("archive");
    static final Path DEAD_LETTER = ROOT.resolve("outbox/dead-letter");
    static final Set<String> TO_REJECT = Set.of("REJECTED", "DEAD", "NOT_TAKEN", "MISSING");
    static final EcpaySandbox SANDBOX;
    static final LogCapture LOG;

    static {
        IntakeFixtures.deleteTree(ROOT);
        SANDBOX = EcpaySandbox.builder().port(0).start();
        System.setProperty("ecpay.base-url", SANDBOX.baseUrl());
        LOG = new LogCapture();
    }

    @AfterAll
    static void stop() {
        LOG.close();
        System.clearProperty("ecpay.base-url");
        SANDBOX.close();
    }

    @BeanInject
    CamelContext context;

    DataSource ds() {
        return context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
    }

    /** One case folder: its input file and what must become of it. */
    record Case(String name, Path input, Properties expect) {
        static Case load(Path dir) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve("expect.properties"), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalStateException(dir + ": cannot read expect.properties: " + e.getMessage(), e);
            }
            List<Path> inputs;
            try (Stream<Path> s = Files.list(dir)) {
                inputs = s.filter(f -> !f.getFileName().toString().equals("expect.properties")).toList();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (inputs.size() != 1) {
                throw new IllegalStateException(dir + ": a case holds expect.properties and exactly one input file, found " + inputs);
            }
            if (p.getProperty("description", "").isBlank()) {
                throw new IllegalStateException(dir + ": expect.properties needs a description");
            }
            return new Case(dir.getFileName().toString(), inputs.get(0), p);
        }

        String get(String key, String otherwise) {
            String v = expect.getProperty(key);
            return v == null ? otherwise : v.strip();
        }

        /** The name dropped: drop.name ({x*N} repeats x N times) or the input file's own name. */
        String dropName() {
            String name = expect.getProperty("drop.name");
            if (name == null) {
                return input.getFileName().toString();
            }
            Matcher m = Pattern.compile("\\{(.)\\*(\\d+)}").matcher(name);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
            }
            m.appendTail(out);
            return out.toString();
        }

        /** Keys with a prefix, e.g. line.3 -> "3". */
        Map<String, String> with(String prefix) {
            Map<String, String> out = new TreeMap<>();
            for (String k : expect.stringPropertyNames()) {
                if (k.startsWith(prefix)) {
                    out.put(k.substring(prefix.length()), expect.getProperty(k));
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> all;
        try (Stream<Path> s = Files.list(CORPUS)) {
            all = s.filter(Files::isDirectory).sorted().map(Case::load).toList();
        }
        Map<String, String> names = new HashMap<>();
        for (Case c : all) {
            String other = names.put(c.dropName(), c.name());
            if (other != null) {
                throw new IllegalStateException("cases " + other + " and " + c.name() + " drop the same name " + c.dropName()
                        + ": name the input files after their case");
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileInput(Case c) throws Exception {
        int logStart = LOG.mark();
        String name = c.dropName();
        Thread writer = drop(c, name);
        String outcome = c.get("outcome", "reported");
        switch (outcome) {
            case "reported" -> reported(c, name, writer, logStart);
            case "failed" -> failed(c, name);
            case "ignored" -> ignored(c, name);
            default -> fail(c + ": outcome must be reported, failed or ignored, not " + outcome);
        }
        writer.join(60_000);
        if (!c.with("log.once.").isEmpty()) {
            Thread.sleep(6L * 100); // six more polls: what is logged once must not come back
        }
        checkLog(c, LOG.since(logStart));
    }

    /** Writes the input into the inbox as drop.style says; returns the writing thread (done unless in-place). */
    private Thread drop(Case c, String name) throws Exception {
        Files.createDirectories(INBOX);
        byte[] content = Files.readAllBytes(c.input());
        String style = c.get("drop.style", "rename");
        Path target = INBOX.resolve(name);
        Thread writer;
        if (style.equals("rename")) {
            writer = new Thread(() -> { });
            Path part = INBOX.resolve(name + ".part");
            Files.write(part, content);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } else if (style.equals("done-file")) {
            writer = new Thread(() -> { });
            Files.write(target, content);
            Files.write(INBOX.resolve(name + ".done"), new byte[0]);
        } else if (style.startsWith("in-place:")) {
            long pause = Long.parseLong(style.substring("in-place:".length()));
            assertTrue(pause < QUIET_MS, c + ": an in-place writer must pause less than the quiet period (" + QUIET_MS + " ms)");
            writer = new Thread(() -> {
                try (OutputStream out = Files.newOutputStream(target)) {
                    int start = 0;
                    for (int i = 0; i < content.length; i++) {
                        if (content[i] == '\n' || i == content.length - 1) {
                            out.write(content, start, i + 1 - start);
                            out.flush();
                            start = i + 1;
                            Thread.sleep(pause);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        } else {
            throw new IllegalStateException(c + ": drop.style must be rename, done-file or in-place:<ms>, not " + style);
        }
        writer.start();
        return writer;
    }

    private void reported(Case c, String name, Thread writer, int logStart) throws Exception {
        await(c + ": " + name + " taken", 30_000, () -> count(ds(),
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = ?", name) == 1);
        writer.join(60_000);
        Map<String, Object> f = query(ds(), "SELECT * FROM ecpay_intake_file WHERE original_name = ?", name).get(0);
        String source = (String) f.get("source_name");
        await(c + ": results of " + source, 60_000, () -> "REPORTED".equals(query(ds(),
                "SELECT state FROM ecpay_intake_file WHERE source_name = ?", source).get(0).get("state")));
        f = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", source).get(0);
        for (String count : List.of("lines", "inserted", "duplicates", "rejected")) {
            String expected = c.get(count, count.equals("duplicates") ? "0" : null);
            String column = Map.of("lines", "line_count", "inserted", "inserted_count", "duplicates", "duplicate_count",
                    "rejected", "rejected_count").get(count);
            if (expected != null) {
                assertEquals(Long.parseLong(expected), ((Number) f.get(column)).longValue(), c + ": " + count);
            }
        }
        assertFalse(Files.exists(INBOX.resolve(name)), c + ": the drop is still in the inbox");
        if (c.get("drop.style", "").equals("done-file")) {
            assertFalse(Files.exists(INBOX.resolve(name + ".done")), c + ": the done file was not deleted");
        }
        boolean csv = DropFormat.of(name) == DropFormat.CSV;
        Path archive = Paths.get((String) f.get("archive_path"));
        assertTrue(Files.isRegularFile(archive), c + ": not archived: " + archive);
        assertTrue(DropNames.utf8Length(archive.getFileName().toString()) <= DropNames.MAX_NAME_BYTES);

        // every line of the input is in the result file, once, in order
        Path resultCsv = IntakeReports.resultPath(archive, ".result.csv");
        List<CSVRecord> result = records(resultCsv);
        Map<Long, byte[]> inputLines = inputLines(Files.readAllBytes(c.input()), csv);
        assertEquals(new ArrayList<>(inputLines.keySet()), result.stream().map(r -> Long.parseLong(r.get("line"))).toList(),
                c + ": the result file must report every input line once");
        Map<Long, CSVRecord> byLine = result.stream().collect(Collectors.toMap(r -> Long.parseLong(r.get("line")), r -> r));

        // what the case names, line by line
        for (Map.Entry<String, String> e : c.with("line.").entrySet()) {
            CSVRecord row = byLine.get(Long.parseLong(e.getKey()));
            assertNotNull(row, c + ": no result for line " + e.getKey());
            String[] want = e.getValue().strip().split("\\s+", 2);
            assertEquals(want[0], row.get("state"), c + ": state of line " + e.getKey() + ": " + row);
            if (want.length > 1) {
                assertEquals(want[1], row.get("field"), c + ": field of line " + e.getKey() + ": " + row);
            }
        }
        for (Map.Entry<String, String> e : c.with("reason.").entrySet()) {
            String reason = byLine.get(Long.parseLong(e.getKey())).get("reason");
            assertTrue(reason.contains(e.getValue()), c + ": reason of line " + e.getKey() + " is '" + reason + "', should contain '"
                    + e.getValue() + "'");
        }
        for (Map.Entry<String, String> e : c.with("result.").entrySet()) {
            String[] at = e.getKey().split("\\.", 2);
            assertEquals(e.getValue(), byLine.get(Long.parseLong(at[0])).get(at[1]), c + ": result.csv line " + at[0] + " " + at[1]);
        }
        Map<Long, JsonNode> json = new LinkedHashMap<>();
        if (!csv) {
            for (JsonNode n : IntakeFixtures.jsonLines(IntakeReports.resultPath(archive, ".result.jsonl"))) {
                json.put(n.get("line").asLong(), n);
            }
            assertEquals(inputLines.keySet(), json.keySet(), c + ": the JSON result must report every input line once");
        }
        for (Map.Entry<String, String> e : c.with("json.").entrySet()) {
            String[] at = e.getKey().split("\\.", 2);
            assertEquals(e.getValue(), json.get(Long.parseLong(at[0])).path(at[1]).asText(null), c + ": result.jsonl line " + at[0]
                    + " " + at[1]);
        }

        // a line's own id and operation are kept, as written (JSON) or neutralised (CSV)
        java.nio.charset.Charset charset = DropFormat.charsetOf(name, StandardCharsets.UTF_8);
        List<String> header = List.of();
        if (csv) {
            Map<String, String> cells = rawKeys(headerLine(Files.readAllBytes(c.input())), charset, false, null);
            header = cells.containsKey("") ? LineParser.cells(cells.get("")) : List.of();
        }
        for (Map.Entry<Long, byte[]> line : inputLines.entrySet()) {
            Map<String, String> raw = rawKeys(line.getValue(), charset, csv, header);
            CSVRecord row = byLine.get(line.getKey());
            String id = raw.get("id");
            if (id != null && !id.isBlank()) {
                assertEquals(id.strip(), CsvCells.restore(row.get("id")), c + ": id of line " + line.getKey());
                if (row.get("state").equals("REJECTED")) {
                    await(c + ": dead letter of line " + line.getKey(), 10_000, () -> Files.exists(DEAD_LETTER.resolve(source
                            + ".line-" + line.getKey() + ".reject.json")));
                    assertEquals(id.strip(), deadLetterId(source, line.getKey()).strip(), c + ": dead-letter id of line " + line.getKey());
                }
                if (!csv) {
                    assertEquals(id.strip(), json.get(line.getKey()).path("id").asText(), c + ": JSON id of line " + line.getKey());
                }
            }
            String op = raw.get("operation");
            if (op != null && !op.isBlank() && Set.of("REJECTED", "NOT_TAKEN").contains(row.get("state"))) {
                assertEquals(op, CsvCells.restore(row.get("operation")), c + ": operation of line " + line.getKey());
                if (!csv) {
                    assertEquals(op, json.get(line.getKey()).path("operation").asText(), c + ": JSON operation of line " + line.getKey());
                }
            }
        }

        // no cell of a written CSV starts with what a spreadsheet runs as a formula
        Set<Long> toReject = result.stream().filter(r -> TO_REJECT.contains(r.get("state")))
                .map(r -> Long.parseLong(r.get("line"))).collect(Collectors.toCollection(TreeSet::new));
        noFormulaCells(c, resultCsv);
        Path rejects = IntakeReports.resultPath(archive, ".rejects" + (DropFormat.isBig5Name(name) ? ".big5" : "") + "."
                + DropFormat.of(name).extension());
        if (toReject.isEmpty()) {
            assertFalse(Files.exists(rejects), c + ": a rejects file with nothing to reject");
        } else if (csv) {
            assertTrue(Files.exists(rejects), c + ": no rejects file " + rejects);
            if (!DropFormat.isBig5Name(name)) {
                noFormulaCells(c, rejects);
                assertEquals(toReject, records(rejects).stream().map(r -> Long.parseLong(r.get("rejectLine")))
                        .collect(Collectors.toCollection(TreeSet::new)), c + ": rejects file lines");
            }
        } else {
            assertEquals(toReject, IntakeFixtures.jsonLines(rejects).stream().map(n -> n.get("reject").get("line").asLong())
                    .collect(Collectors.toCollection(TreeSet::new)), c + ": rejects file lines");
        }

        // one dead letter per rejected line
        Set<Long> rejected = result.stream().filter(r -> r.get("state").equals("REJECTED"))
                .map(r -> Long.parseLong(r.get("line"))).collect(Collectors.toCollection(TreeSet::new));
        await(c + ": dead letters", 10_000, () -> deadLetters(source).size() == rejected.size());
        assertEquals(rejected, deadLetters(source), c + ": dead letters of the rejected lines");
    }

    private void failed(Case c, String name) throws Exception {
        Path failedDir = INBOX.resolve(".failed");
        String suffix = "-" + DropNames.derived(name);
        await(c + ": " + name + " moved to .failed", 30_000, () -> IntakeFixtures.exists(failedDir, suffix));
        assertFalse(Files.exists(INBOX.resolve(name)), c + ": still in the inbox");
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = ?", name), c + ": recorded");
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_name LIKE ?", "%" + suffix), c + ": journaled");
    }

    private void ignored(Case c, String name) throws Exception {
        Thread.sleep(3L * QUIET_MS + 500);
        assertTrue(Files.exists(INBOX.resolve(name)), c + ": should have been left in the inbox");
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = ?", name), c + ": taken");
        Files.delete(INBOX.resolve(name));
    }

    private static void checkLog(Case c, String log) {
        for (String line : log.split("\n", -1)) {
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                // tabs start the lines of stack traces; anything else is input that reached the log raw
                if (ch != '\t' && SafeText.isControl(ch)) {
                    fail(c + ": a raw control character " + SafeText.codePoint(ch) + " in the log: " + SafeText.log(line));
                }
            }
        }
        for (Map.Entry<String, String> e : c.with("log.").entrySet()) {
            String key = e.getKey();
            String text = e.getValue();
            long n = Stream.of(log.split("\n")).filter(l -> l.contains(text)).count();
            if (key.startsWith("once.")) {
                assertEquals(1, n, c + ": the log should show once: " + text + "\n" + log);
            } else if (key.startsWith("absent.")) {
                assertFalse(log.contains(text), c + ": the log shows what it must not: " + SafeText.log(text));
            } else {
                assertTrue(n > 0, c + ": the log should show: " + text + "\n" + log);
            }
        }
    }

    /** The id of the dead letter of {@code line}, as the record has it. */
    private static String deadLetterId(String source, long line) throws IOException {
        JsonNode n = LineParser.JSON.readTree(Files.readString(DEAD_LETTER.resolve(source + ".line-" + line + ".reject.json"),
                StandardCharsets.UTF_8));
        return n.path("id").isNull() ? null : n.path("id").asText(null);
    }

    private static Set<Long> deadLetters(String source) {
        Set<Long> lines = new TreeSet<>();
        if (!Files.isDirectory(DEAD_LETTER)) {
            return lines;
        }
        try (Stream<Path> s = Files.list(DEAD_LETTER)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(source + ".line-")).toList()) {
                JsonNode n = LineParser.JSON.readTree(Files.readString(p, StandardCharsets.UTF_8));
                assertEquals(source, n.get("file").asText());
                lines.add(n.get("line").asLong());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return lines;
    }

    private static void noFormulaCells(Case c, Path csvFile) throws IOException {
        String text = Files.readString(csvFile, StandardCharsets.UTF_8).replaceFirst("^\uFEFF", "");
        for (CSVRecord r : CSVFormat.DEFAULT.parse(new StringReader(text)).getRecords()) {
            for (String cell : r) {
                if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
                    fail(c + ": " + csvFile.getFileName() + " line " + r.getRecordNumber() + " has a cell a spreadsheet would run: "
                            + SafeText.log(cell));
                }
            }
        }
    }

    private static List<CSVRecord> records(Path csvFile) throws IOException {
        return IntakeFixtures.csv(csvFile);
    }

    /** Physical line number -> bytes of each non-blank line (CSV: without its header row). */
    static Map<Long, byte[]> inputLines(byte[] content, boolean csv) {
        Map<Long, byte[]> out = new LinkedHashMap<>();
        int start = 0;
        long number = 0;
        boolean headerSeen = !csv;
        for (int i = 0; i <= content.length; i++) {
            if (i == content.length || content[i] == '\n') {
                if (i == content.length && start == i) {
                    break;
                }
                number++;
                byte[] line = java.util.Arrays.copyOfRange(content, start, i);
                if (!isBlank(line)) {
                    if (headerSeen) {
                        out.put(number, line);
                    }
                    headerSeen = true;
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static byte[] headerLine(byte[] content) {
        int start = 0;
        for (int i = 0; i <= content.length; i++) {
            if (i == content.length || content[i] == '\n') {
                byte[] line = java.util.Arrays.copyOfRange(content, start, i);
                if (!isBlank(line)) {
                    return line;
                }
                start = i + 1;
            }
        }
        return new byte[0];
    }

    private static boolean isBlank(byte[] line) {
        String s = new String(line, StandardCharsets.ISO_8859_1).replace("\u00EF\u00BB\u00BF", "");
        return s.isBlank();
    }

    /**
     * The id and operation a line holds as written, when it can be read that far (header null: the decoded line
     * itself, under the key "").
     */
    private static Map<String, String> rawKeys(byte[] bytes, java.nio.charset.Charset charset, boolean csv, List<String> header) {
        Map<String, String> out = new HashMap<>();
        String text;
        try {
            text = charset.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString().replace("\uFEFF", "")
                    .replaceFirst("\r$", "");
        } catch (java.nio.charset.CharacterCodingException e) {
            return out; // not text in its charset: the line has no id or operation to keep
        }
        try {
            if (header == null) {
                out.put("", text);
            } else if (csv) {
                List<String> cells = LineParser.cells(text);
                for (String key : List.of("id", "operation")) {
                    int i = header.indexOf(key);
                    if (i >= 0 && i < cells.size()) {
                        out.put(key, cells.get(i));
                    }
                }
            } else {
                JsonNode n = LineParser.JSON.readTree(text);
                for (String key : List.of("id", "operation")) {
                    JsonNode v = n == null ? null : n.get(key);
                    if (v != null && v.isTextual()) {
                        out.put(key, v.asText());
                    }
                }
            }
        } catch (Exception e) {
            // not JSON / not CSV: the line has no id or operation to keep
        }
        return out;
    }
}
