package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalException;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;

/**
 * Writes a taken-in file's result files once all its commands are final, beside its archived copy:
 * <ul>
 * <li>{@code <stem>.result.csv} (and {@code <stem>.result.jsonl} for JSON Lines drops): every input line with its
 * state, RtnCode, RtnMsg, reason and the reply fields that matter;</li>
 * <li>{@code <stem>.rejects.<ext>}: the rejected and dead lines in the input format and charset, with the reason,
 * ready to fix and drop again (written only when there are some).</li>
 * </ul>
 * The archived file is read again (streaming), so reports of million-line files need no more memory than intake.
 * Every cell of the CSV files is neutralised against formula injection ({@link CsvCells}); JSON outputs are not.
 *
 * <p>A local drop that was still being written when it was taken may grow in the archive (the writer keeps its file
 * open): results wait until the archived file stayed unchanged for the quiet period, lines beyond those taken are
 * reported as NOT_TAKEN (and put in the rejects file, to drop again), and a file that changes after its results were
 * written within {@link #WATCH_AFTER_REPORT} gets them written again, with an ERROR in the log each time.
 */
public class IntakeReports {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeReports.class);
    /** How long after its results a local drop's archived copy is still watched for lines appended to it. */
    static final Duration WATCH_AFTER_REPORT = Duration.ofHours(1);
    /** Result names end at most in {@code .rejects.big5.jsonl.part}: stems are cut so that every name fits. */
    private static final int LONGEST_SUFFIX = ".rejects.big5.jsonl.part".length();
    private static final List<String> FIXED_REPLY_FIELDS =
            List.of("InvoiceNo", "InvoiceNumber", "InvoiceDate", "RandomNumber", "OrderNumber");

    /** A written result file, and whether its drop came over SFTP (so it may be uploaded back). */
    public static final class ReportFile {
        private final String kind;
        private final String sourceName;
        private final File file;

        ReportFile(String kind, String sourceName, Path path) {
            this.kind = kind;
            this.sourceName = sourceName;
            this.file = path.toFile();
        }

        public String getSourceName() {
            return sourceName;
        }

        public String getKind() {
            return kind;
        }

        public File getFile() {
            return file;
        }

        public String getName() {
            return file.getName();
        }

        @Override
        public String toString() {
            return file.getPath();
        }
    }

    private volatile Journal journal;
    private volatile IntakeFileStore files;
    private OperationCatalog catalog = OperationCatalog.standard();
    private String defaultMerchantId = "";
    private Duration quiet = Duration.ofSeconds(10);
    private final List<String> replyFields;
    /** Archived files seen changing: source name -> {size, time stamp, since (nanoTime)}. */
    private final Map<String, long[]> changing = new ConcurrentHashMap<>();
    /** The last failure logged per file, so a failure that repeats every round is logged once. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    /** The counts of each SFTP drop's progress file when it was last returned for upload. */
    private final Map<String, String> uploaded = new ConcurrentHashMap<>();
    private volatile FileIntake intake;

    /** For YAML beans: the journal and clock beans are looked up on first use (bean files load in any order). */
    public IntakeReports() {
        this(null, null);
    }

    public IntakeReports(Journal journal, Clock clock) {
        if (journal != null) {
            use(journal, clock);
        }
        Set<String> fields = new LinkedHashSet<>(FIXED_REPLY_FIELDS);
        for (Operation op : catalog.all()) {
            fields.addAll(op.replyFields());
        }
        this.replyFields = List.copyOf(fields);
    }

    private void use(Journal journal, Clock clock) {
        this.files = new IntakeFileStore(journal.dataSource(), clock == null ? Clock.systemUTC() : clock);
        this.journal = journal;
    }

    /** As {@link #writeDue()}, finding the journal and clock beans first. */
    public List<ReportFile> writeDue(org.apache.camel.Exchange exchange) {
        if (journal == null) {
            Journal j = JournalBeans.journal(exchange.getContext().getRegistry());
            use(j, j.clock());
        }
        return writeDue();
    }

    /** Writes the result files of every file whose commands are all final; returns the files written. */
    public List<ReportFile> writeDue() {
        watchReported();
        List<ReportFile> written = new ArrayList<>();
        for (IntakeFileStore.IntakeFile f : files.dueForReport()) {
            Path archive = Paths.get(f.archivePath());
            if (!Files.isRegularFile(archive)) {
                continue; // not archived yet (the consumer moves it when intake completes): next round
            }
            if (stillChanging(f, archive)) {
                continue; // a writer is still appending to it: results once it stayed unchanged for the quiet period
            }
            if (!files.transition(f.sourceName(), "INTAKEN", "REPORTING") && !files.reclaimStale(f.sourceName())) {
                continue; // another instance took it
            }
            try {
                List<Path> results = write(f);
                for (Path p : results) {
                    written.add(new ReportFile(f.kind(), f.sourceName(), p));
                }
                files.transition(f.sourceName(), "REPORTING", "REPORTED");
                failures.remove(f.sourceName());
                Path progress = finalProgress(f, results);
                if (progress != null) {
                    written.add(new ReportFile(f.kind(), f.sourceName(), progress));
                }
            } catch (NotFinalYet e) {
                files.transition(f.sourceName(), "REPORTING", "INTAKEN");
                LOG.debug("Intake {}: {}; result files later", SafeText.log(f.sourceName()), SafeText.log(e.getMessage()));
            } catch (RuntimeException e) {
                files.transition(f.sourceName(), "REPORTING", "INTAKEN");
                String why = SafeText.log(e.getMessage());
                if (!why.equals(failures.put(f.sourceName(), why))) {
                    LOG.error("Intake {}: result files not written, tried again each round (logged again only if the reason "
                            + "changes): {}", SafeText.log(f.sourceName()), why);
                } else {
                    LOG.debug("Intake {}: result files still not written: {}", SafeText.log(f.sourceName()), why);
                }
            }
        }
        return written;
    }

    /** Serialises writing a drop's progress file with finalising or deleting it, so a late rewrite never undoes them. */
    private static final Object PROGRESS_LOCK = new Object();
    static final String PROGRESS_SUFFIX = ".progress.json";

    /** As {@link #writeProgress()}, finding the journal, clock and file intake beans first. */
    public List<ReportFile> writeProgress(org.apache.camel.Exchange exchange) {
        if (journal == null) {
            Journal j = JournalBeans.journal(exchange.getContext().getRegistry());
            use(j, j.clock());
        }
        if (intake == null) {
            intake = exchange.getContext().getRegistry().findSingleByType(FileIntake.class);
        }
        return writeProgress();
    }

    /**
     * Rewrites the progress file ({@code <stem>.progress.json}, beside where the result files will be) of every drop
     * this instance is reading and of every taken-in drop whose results are not written yet and whose archived copy
     * is here. Returns the SFTP drops' progress files whose counts changed since they were last returned (to upload).
     */
    public List<ReportFile> writeProgress() {
        List<ReportFile> changed = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (IntakeFileStore.Unreported u : files.unreported()) {
            IntakeFileStore.IntakeFile f = u.file();
            Path archive = Paths.get(f.archivePath());
            if (!Files.isRegularFile(archive)) {
                continue; // not archived yet (still read: below), or archived on another instance
            }
            seen.add(f.sourceName());
            IntakeProgress p = files.progress(f, u.receivedAt(), IntakeProgress.OPEN, null);
            publishProgress(p, archive, () -> !Files.exists(resultPath(archive, ".result.csv")), changed);
        }
        if (intake != null) {
            for (IntakeTally t : intake.reading()) {
                if (seen.contains(t.sourceName()) || t.archivePath() == null) {
                    continue;
                }
                IntakeProgress p = new IntakeProgress(t.sourceName(), t.kind(), t.originalName(), IntakeProgress.READING,
                        t.duplicateCount(), t.rejectedCount(), files.counts(t.sourceName()), t.started(),
                        files.clock().instant(), null);
                publishProgress(p, t.archivePath(),
                        () -> intake.reading().stream().anyMatch(r -> r.sourceName().equals(t.sourceName())), changed);
            }
        }
        return changed;
    }

    /** Progress of every drop not reported yet: those read by this instance now, and those taken in (any instance). */
    public List<IntakeProgress> progress() {
        List<IntakeProgress> out = new ArrayList<>(files.progress());
        Set<String> known = new java.util.HashSet<>();
        out.forEach(p -> known.add(p.sourceName()));
        if (intake != null) {
            for (IntakeTally t : intake.reading()) {
                if (!known.contains(t.sourceName())) {
                    out.add(new IntakeProgress(t.sourceName(), t.kind(), t.originalName(), IntakeProgress.READING,
                            t.duplicateCount(), t.rejectedCount(), files.counts(t.sourceName()), t.started(),
                            files.clock().instant(), null));
                }
            }
        }
        return out;
    }

    private void publishProgress(IntakeProgress p, Path archive, java.util.function.BooleanSupplier stillOpen,
                                 List<ReportFile> changed) {
        Path path = resultPath(archive, PROGRESS_SUFFIX);
        try {
            synchronized (PROGRESS_LOCK) {
                if (!stillOpen.getAsBoolean()) {
                    return; // its results were written (or its intake failed) meanwhile
                }
                writeJson(path, p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("Intake {}: progress file not written: {}", SafeText.log(p.sourceName()), SafeText.log(e.getMessage()));
            return;
        }
        if ("sftp".equals(p.kind()) && !p.countsKey().equals(uploaded.put(p.sourceName(), p.countsKey()))) {
            changed.add(new ReportFile(p.kind(), p.sourceName(), path));
        }
    }

    /** The progress file once the results are written: final counts, and the names of the result files. */
    private Path finalProgress(IntakeFileStore.IntakeFile f, List<Path> results) {
        Path archive = Paths.get(f.archivePath());
        Path path = resultPath(archive, PROGRESS_SUFFIX);
        uploaded.remove(f.sourceName());
        try {
            IntakeProgress open = files.progress(f.sourceName()).orElse(null);
            IntakeProgress done = new IntakeProgress(f.sourceName(), f.kind(), f.originalName(), IntakeProgress.REPORTED,
                    f.duplicates(), f.rejected(), files.counts(f.sourceName()), open == null ? null : open.receivedAt(),
                    files.clock().instant(), results.stream().map(r -> r.getFileName().toString()).toList());
            synchronized (PROGRESS_LOCK) {
                writeJson(path, done);
            }
            return path;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Intake {}: final progress file not written: {}", SafeText.log(f.sourceName()), SafeText.log(e.getMessage()));
            return null;
        }
    }

    /** Deletes the progress file of a drop whose intake failed (it is taken again under a new name). */
    static void deleteProgress(Path archive) {
        synchronized (PROGRESS_LOCK) {
            deleteQuietly(resultPath(archive, PROGRESS_SUFFIX));
        }
    }

    /** Written whole under a temporary name, then renamed into place: a reader never sees half a file. */
    private static void writeJson(Path path, IntakeProgress p) throws IOException {
        Files.createDirectories(path.getParent());
        try (Writer w = writer(part(path), StandardCharsets.UTF_8, false)) {
            w.write(p.toJson().toPrettyString());
            w.write('\n');
        }
        publish(path);
    }

    /**
     * True while a local drop's archived copy is still changing: its time stamp is younger than the quiet period, and
     * it has not stayed unchanged that long since it was first seen so.
     */
    private boolean stillChanging(IntakeFileStore.IntakeFile f, Path archive) {
        if (!"file".equals(f.kind()) || quiet.isZero()) {
            return false;
        }
        try {
            long size = Files.size(archive);
            long modified = Files.getLastModifiedTime(archive).toMillis();
            long age = System.currentTimeMillis() - modified;
            if (age >= quiet.toMillis()) {
                changing.remove(f.sourceName());
                return false;
            }
            long now = System.nanoTime();
            long[] seen = changing.get(f.sourceName());
            if (seen == null || seen[0] != size || seen[1] != modified) {
                changing.put(f.sourceName(), new long[] {size, modified, now});
                return true;
            }
            if (now - seen[2] >= quiet.toNanos()) {
                changing.remove(f.sourceName());
                return false;
            }
            return true;
        } catch (IOException e) {
            return false; // write() reports what is wrong with the file
        }
    }

    /** A local drop whose archived copy changed after its results were written is reported again. */
    private void watchReported() {
        for (IntakeFileStore.IntakeFile f : files.recentlyReported("file", WATCH_AFTER_REPORT)) {
            Path archive = Paths.get(f.archivePath());
            Path result = resultPath(archive, ".result.csv");
            try {
                if (!Files.isRegularFile(archive) || !Files.isRegularFile(result)
                        || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(result)) <= 0) {
                    continue;
                }
            } catch (IOException e) {
                continue;
            }
            if (files.transition(f.sourceName(), "REPORTED", "INTAKEN")) {
                LOG.warn("Intake {}: the archived file changed after its result files were written (a writer is still "
                        + "appending to {}): they are written again", SafeText.log(f.sourceName()), SafeText.log(f.originalName()));
            }
        }
    }

    /** Where a result file of the archived drop goes: beside it, named after its stem, cut to fit if need be. */
    static Path resultPath(Path archive, String suffix) {
        String stem = DropFormat.stem(archive.getFileName().toString());
        if (DropNames.utf8Length(stem) + LONGEST_SUFFIX > DropNames.MAX_NAME_BYTES) {
            stem = DropNames.fit(stem, "", DropNames.MAX_NAME_BYTES - LONGEST_SUFFIX);
        }
        return archive.resolveSibling(stem + suffix);
    }

    /**
     * A result file could not be uploaded back (SFTP server down): the drop is reported again on a later round, so its
     * result files are written and uploaded again.
     */
    public void uploadFailed(ReportFile report, Exception error) {
        if (files.transition(report.getSourceName(), "REPORTED", "INTAKEN")) {
            LOG.warn("Intake {}: result file {} not uploaded ({}); written and uploaded again later",
                    SafeText.log(report.getSourceName()), SafeText.log(report.getName()),
                    error == null ? "unknown error" : SafeText.log(error.getMessage()));
        }
    }

    /** One line's outcome as the result files show it. */
    private record LineResult(long line, String id, String operation, String state, String duplicateOf, String rtnCode,
                              String rtnMsg, String field, String reason, JsonNode reply, DropLine input) {
        boolean toReject() {
            return state.equals("REJECTED") || state.equals("DEAD") || state.equals(NOT_TAKEN) || state.equals("MISSING");
        }
    }

    /** A line of the archived file beyond the lines taken: appended after the file was taken. */
    static final String NOT_TAKEN = "NOT_TAKEN";

    List<Path> write(IntakeFileStore.IntakeFile f) {
        Path archive = Paths.get(f.archivePath());
        Path dir = archive.getParent();
        Charset inputCharset = DropFormat.charset(f.charset());
        String big5 = DropFormat.isBig5Name(archive.getFileName().toString()) ? ".big5" : "";
        Path resultCsv = resultPath(archive, ".result.csv");
        Path resultJsonl = resultPath(archive, ".result.jsonl");
        Path rejects = resultPath(archive, ".rejects" + big5 + "." + f.format().extension());
        long rejected = 0;
        long total = 0;
        long firstNotTaken = 0;
        long lastNotTaken = 0;
        long notTaken = 0;
        long started = System.nanoTime();
        try (DropReader reader = DropReader.open(archive, inputCharset);
             Connection c = journal.dataSource().getConnection();
             CSVPrinter csv = new CSVPrinter(writer(part(resultCsv), StandardCharsets.UTF_8, true), LineParser.CSV);
             Writer jsonl = f.format() == DropFormat.JSONL ? writer(part(resultJsonl), StandardCharsets.UTF_8, false) : null;
             RejectsWriter rejectsOut = new RejectsWriter(part(rejects), inputCharset, f.format())) {
            LineParser parser;
            if (f.format() == DropFormat.CSV) {
                DropLine header = reader.next();
                parser = LineParser.csv(header, catalog, defaultMerchantId);
                rejectsOut.header(parser.header());
            } else {
                parser = LineParser.jsonLines(catalog, defaultMerchantId);
            }
            List<String> head = new ArrayList<>(List.of("line", "id", "operation", "state", "duplicateOf", "RtnCode", "RtnMsg",
                    "field", "reason"));
            head.addAll(replyFields);
            csv.printRecord(CsvCells.neutralise(head));
            // the journal is read once per chunk of lines, not once per line
            List<DropLine> chunk = new ArrayList<>(RESULT_CHUNK);
            while (reader.hasNext() || !chunk.isEmpty()) {
                if (reader.hasNext() && chunk.size() < RESULT_CHUNK) {
                    chunk.add(reader.next());
                    continue;
                }
                for (LineResult r : results(f, parser, chunk, total, c)) {
                    total++;
                    if (r.state().equals(NOT_TAKEN)) {
                        notTaken++;
                        firstNotTaken = firstNotTaken == 0 ? r.line() : firstNotTaken;
                        lastNotTaken = r.line();
                    }
                    List<String> row = new ArrayList<>(List.of(Long.toString(r.line()), nz(r.id()), nz(r.operation()), r.state(),
                            nz(r.duplicateOf()), nz(r.rtnCode()), nz(r.rtnMsg()), nz(r.field()), nz(r.reason())));
                    for (String field : replyFields) {
                        row.add(r.reply() == null ? "" : r.reply().path(field).asText(""));
                    }
                    csv.printRecord(CsvCells.neutralise(row));
                    if (jsonl != null) {
                        jsonl.write(jsonResult(r).toString());
                        jsonl.write('\n');
                    }
                    if (r.toReject()) {
                        rejected++;
                        rejectsOut.write(parser, r.input(), r);
                    }
                }
                chunk.clear();
            }
            if ("file".equals(f.kind()) && Files.size(archive) > reader.position()) {
                throw new NotFinalYet("the archived file grew while its results were written");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results of " + f.sourceName() + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new JournalException("cannot read results of " + f.sourceName() + ": " + e.getMessage(), e);
        }
        List<Path> out = new ArrayList<>();
        out.add(publish(resultCsv));
        if (f.format() == DropFormat.JSONL) {
            out.add(publish(resultJsonl));
        }
        if (rejected > 0) {
            out.add(publish(rejects));
        } else {
            deleteQuietly(part(rejects));
        }
        if (notTaken > 0) {
            LOG.error("Intake {}: {} line(s) of {} were never taken (lines {} to {}): they were written after the file was "
                    + "taken, while it was still being written. They are NOT_TAKEN in the result file and are in the rejects "
                    + "file, to drop again. Write drops under another name and rename them, or add a done file, when complete",
                    SafeText.log(f.sourceName()), notTaken, SafeText.log(f.originalName()), firstNotTaken, lastNotTaken);
        }
        LOG.info("Intake {}: results written, {} lines, {} rejected or dead, in {} ({} ms)", SafeText.log(f.sourceName()), total,
                rejected, SafeText.log(dir), (System.nanoTime() - started) / 1_000_000);
        return out;
    }

    private static LineResult notTaken(LineParser parser, DropLine line) {
        return new LineResult(line.number(), parser.rawValue(line, "id"), parser.rawValue(line, "operation"), NOT_TAKEN,
                null, null, null, null, "not taken: written after the file was taken (it was still being written); drop "
                + "this line again", null, line);
    }

    /** Lines whose results are written from one read of the journal. */
    private static final int RESULT_CHUNK = 500;

    /** A command's outcome as stored, for the result files. */
    private record Stored(String state, String rtnCode, String rtnMsg, String reason, String reply, String source) {
    }

    /**
     * The results of {@code lines} (after {@code before} lines of the file), in order: the commands of the lines taken
     * are read from the journal in one query by their ids.
     */
    private List<LineResult> results(IntakeFileStore.IntakeFile f, LineParser parser, List<DropLine> lines, long before,
                                     Connection c) throws SQLException {
        List<Object> parsed = new ArrayList<>(lines.size());
        Set<String> ids = new LinkedHashSet<>();
        long index = before;
        for (DropLine line : lines) {
            index++;
            if (index > f.lines()) {
                parsed.add(notTaken(parser, line));
                continue;
            }
            try {
                Command command = parser.parse(line);
                parsed.add(command);
                ids.add(command.id());
            } catch (InvalidLineException e) {
                // the line's own id and operation as written, even when they are what is wrong with it
                String id = e.commandId() != null ? e.commandId() : parser.rawValue(line, "id");
                parsed.add(new LineResult(line.number(), id, parser.rawValue(line, "operation"), "REJECTED", null, null, null,
                        e.field(), e.reason(), null, line));
            }
        }
        Map<String, Stored> stored = stored(c, ids);
        List<LineResult> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            out.add(parsed.get(i) instanceof Command command ? result(f, lines.get(i), command, stored.get(command.id()))
                    : (LineResult) parsed.get(i));
        }
        return out;
    }

    private static Map<String, Stored> stored(Connection c, Set<String> ids) throws SQLException {
        Map<String, Stored> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, state, last_rtn_code, last_rtn_msg, last_reason, reply, "
                + "source_name, source_ref FROM ecpay_command WHERE id IN (" + String.join(", ", java.util.Collections.nCopies(ids.size(), "?"))
                + ")")) {
            int i = 1;
            for (String id : ids) {
                ps.setString(i++, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int code = rs.getInt("last_rtn_code");
                    String rtnCode = rs.wasNull() ? null : Integer.toString(code);
                    out.put(rs.getString("id"), new Stored(rs.getString("state"), rtnCode, rs.getString("last_rtn_msg"),
                            rs.getString("last_reason"), rs.getString("reply"),
                            rs.getString("source_name") + ":" + rs.getString("source_ref")));
                }
            }
        }
        return out;
    }

    private static LineResult result(IntakeFileStore.IntakeFile f, DropLine line, Command command, Stored row) {
        if (row == null) {
            return new LineResult(line.number(), command.id(), command.operation(), "MISSING", null, null, null,
                    null, "not in the journal: the line changed after the file was taken (it was still being written); "
                    + "drop this line again", null, line);
        }
        if (!"SUCCEEDED".equals(row.state()) && !"DEAD".equals(row.state())) {
            // a duplicate line whose command belongs to another drop that is not final yet: report it when it is
            throw new NotFinalYet("line " + line.number() + " repeats command " + command.id() + ", still " + row.state());
        }
        String duplicateOf = row.source().equals(f.sourceName() + ":" + line.number()) ? null : row.source();
        return new LineResult(line.number(), command.id(), command.operation(), row.state(), duplicateOf,
                row.rtnCode(), row.rtnMsg(), null, row.reason(), readJson(row.reply()), line);
    }

    private static JsonNode readJson(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LineParser.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static ObjectNode jsonResult(LineResult r) {
        ObjectNode o = LineParser.JSON.createObjectNode();
        o.put("line", r.line());
        o.put("id", r.id());
        o.put("operation", r.operation());
        o.put("state", r.state());
        if (r.duplicateOf() != null) {
            o.put("duplicateOf", r.duplicateOf());
        }
        if (r.rtnCode() != null) {
            o.put("RtnCode", Long.parseLong(r.rtnCode()));
        }
        o.put("RtnMsg", r.rtnMsg());
        o.put("field", r.field());
        o.put("reason", r.reason());
        o.set("reply", r.reply());
        return o;
    }

    /** The rejects file: lines in the input format with their reason, ready to fix and drop again. */
    private static final class RejectsWriter implements AutoCloseable {
        private final Writer out;
        private final DropFormat format;
        private CSVPrinter csv;
        private List<String> header;

        RejectsWriter(Path path, Charset charset, DropFormat format) throws IOException {
            this.out = writer(path, charset, format == DropFormat.CSV && charset.equals(StandardCharsets.UTF_8));
            this.format = format;
        }

        void header(List<String> inputHeader) throws IOException {
            header = new ArrayList<>(inputHeader);
            for (String c : LineParser.REJECT_COLUMNS) {
                if (!header.contains(c)) {
                    header.add(c);
                }
            }
            csv = new CSVPrinter(out, LineParser.CSV);
            csv.printRecord(CsvCells.neutralise(header));
        }

        void write(LineParser parser, DropLine line, LineResult r) throws IOException {
            // the classifier's reason already names the RtnCode when there was one
            String reason = r.state().equals("DEAD") ? "DEAD: " + nz(r.reason())
                    + (r.rtnCode() == null || nz(r.reason()).contains("RtnCode") ? "" : " (RtnCode " + r.rtnCode() + " " + nz(r.rtnMsg()) + ")")
                    : r.reason();
            String field = nz(r.field());
            if (format == DropFormat.JSONL) {
                ObjectNode node;
                try {
                    node = parser.node(line);
                } catch (InvalidLineException e) {
                    node = LineParser.JSON.createObjectNode();
                    node.put("input", line.text());
                }
                ObjectNode reject = node.putObject("reject");
                reject.put("line", line.number());
                reject.put("field", field);
                reject.put("reason", reason);
                out.write(node.toString());
                out.write('\n');
                return;
            }
            List<String> cells;
            try {
                cells = new ArrayList<>(line.text() == null ? List.of() : parser.csvCells(line.text()));
            } catch (IllegalArgumentException e) {
                cells = new ArrayList<>(List.of(nz(line.text())));
            }
            while (cells.size() < header.size()) {
                cells.add("");
            }
            cells.set(header.indexOf("rejectLine"), Long.toString(line.number()));
            cells.set(header.indexOf("rejectField"), field);
            cells.set(header.indexOf("rejectReason"), reason);
            csv.printRecord(CsvCells.neutralise(cells));
        }

        @Override
        public void close() throws IOException {
            if (csv != null) {
                csv.close();
            } else {
                out.close();
            }
        }
    }

    private static Writer writer(Path path, Charset charset, boolean bom) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path), charset), 65536);
        if (bom) {
            w.write('\uFEFF'); // lets spreadsheet programs see UTF-8
        }
        return w;
    }

    private static Path part(Path path) {
        return path.resolveSibling(path.getFileName() + ".part");
    }

    /** Renamed into place whole, so nobody reads half a result file. */
    private static Path publish(Path path) {
        try {
            return Files.move(part(path), path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + path + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // an empty leftover is harmless
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    public void setDefaultMerchantId(String defaultMerchantId) {
        this.defaultMerchantId = defaultMerchantId;
    }

    /** The file intake whose drops being read get progress files too (found in the registry when left unset). */
    public void setFileIntake(FileIntake intake) {
        this.intake = intake;
    }

    public void setCatalog(OperationCatalog catalog) {
        this.catalog = catalog;
    }

    /** How long a local drop's archived copy must stay unchanged before its results are written (0: no waiting). */
    public void setQuietMs(long ms) {
        this.quiet = Duration.ofMillis(Math.max(0, ms));
    }

    /** A line's command is not final yet: the file's results wait for the next round. */
    private static final class NotFinalYet extends RuntimeException {
        NotFinalYet(String message) {
            super(message, null, false, false);
        }
    }
}
