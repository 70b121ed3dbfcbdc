package tw.einvoice.intake;

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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 */
public class IntakeReports {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeReports.class);
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
    private final List<String> replyFields;

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
        List<ReportFile> written = new ArrayList<>();
        for (IntakeFileStore.IntakeFile f : files.dueForReport()) {
            if (!Files.isRegularFile(Paths.get(f.archivePath()))) {
                continue; // not archived yet (the consumer moves it when intake completes): next round
            }
            if (!files.transition(f.sourceName(), "INTAKEN", "REPORTING") && !files.reclaimStale(f.sourceName())) {
                continue; // another instance took it
            }
            try {
                for (Path p : write(f)) {
                    written.add(new ReportFile(f.kind(), f.sourceName(), p));
                }
                files.transition(f.sourceName(), "REPORTING", "REPORTED");
            } catch (NotFinalYet e) {
                files.transition(f.sourceName(), "REPORTING", "INTAKEN");
                LOG.debug("Intake {}: {}; result files later", f.sourceName(), e.getMessage());
            } catch (RuntimeException e) {
                files.transition(f.sourceName(), "REPORTING", "INTAKEN");
                LOG.error("Intake {}: result files not written, will try again: {}", f.sourceName(), e.getMessage());
            }
        }
        return written;
    }

    /**
     * A result file could not be uploaded back (SFTP server down): the drop is reported again on a later round, so its
     * result files are written and uploaded again.
     */
    public void uploadFailed(ReportFile report, Exception error) {
        if (files.transition(report.getSourceName(), "REPORTED", "INTAKEN")) {
            LOG.warn("Intake {}: result file {} not uploaded ({}); written and uploaded again later",
                    report.getSourceName(), report.getName(), error == null ? "unknown error" : error.getMessage());
        }
    }

    /** One line's outcome as the result files show it. */
    private record LineResult(long line, String id, String operation, String state, String duplicateOf, String rtnCode,
                              String rtnMsg, String field, String reason, JsonNode reply) {
        boolean toReject() {
            return state.equals("REJECTED") || state.equals("DEAD");
        }
    }

    List<Path> write(IntakeFileStore.IntakeFile f) {
        Path archive = Paths.get(f.archivePath());
        String stem = DropFormat.stem(archive.getFileName().toString());
        Path dir = archive.getParent();
        Charset inputCharset = DropFormat.charset(f.charset());
        String big5 = DropFormat.isBig5Name(archive.getFileName().toString()) ? ".big5" : "";
        Path resultCsv = dir.resolve(stem + ".result.csv");
        Path resultJsonl = dir.resolve(stem + ".result.jsonl");
        Path rejects = dir.resolve(stem + ".rejects" + big5 + "." + f.format().extension());
        long rejected = 0;
        long total = 0;
        long started = System.nanoTime();
        try (DropReader reader = DropReader.open(archive, inputCharset);
             Connection c = journal.dataSource().getConnection();
             PreparedStatement lookup = c.prepareStatement("SELECT state, last_rtn_code, last_rtn_msg, last_reason, reply, "
                     + "source_name, source_ref FROM ecpay_command WHERE id = ?");
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
            csv.printRecord(head);
            while (reader.hasNext()) {
                DropLine line = reader.next();
                LineResult r = result(f, parser, line, lookup);
                total++;
                List<String> row = new ArrayList<>(List.of(Long.toString(r.line()), nz(r.id()), nz(r.operation()), r.state(),
                        nz(r.duplicateOf()), nz(r.rtnCode()), nz(r.rtnMsg()), nz(r.field()), nz(r.reason())));
                for (String field : replyFields) {
                    row.add(r.reply() == null ? "" : r.reply().path(field).asText(""));
                }
                csv.printRecord(row);
                if (jsonl != null) {
                    jsonl.write(jsonResult(r).toString());
                    jsonl.write('\n');
                }
                if (r.toReject()) {
                    rejected++;
                    rejectsOut.write(parser, line, r);
                }
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
        LOG.info("Intake {}: results written, {} lines, {} rejected or dead, in {} ({} ms)", f.sourceName(), total, rejected,
                dir, (System.nanoTime() - started) / 1_000_000);
        return out;
    }

    private LineResult result(IntakeFileStore.IntakeFile f, LineParser parser, DropLine line, PreparedStatement lookup)
            throws SQLException {
        Command command;
        try {
            command = parser.parse(line);
        } catch (InvalidLineException e) {
            return new LineResult(line.number(), e.commandId(), null, "REJECTED", null, null, null, e.field(), e.reason(), null);
        }
        lookup.setString(1, command.id());
        try (ResultSet rs = lookup.executeQuery()) {
            if (!rs.next()) {
                return new LineResult(line.number(), command.id(), command.operation(), "MISSING", null, null, null,
                        null, "not in the journal", null);
            }
            String state = rs.getString("state");
            if (!"SUCCEEDED".equals(state) && !"DEAD".equals(state)) {
                // a duplicate line whose command belongs to another drop that is not final yet: report it when it is
                throw new NotFinalYet("line " + line.number() + " repeats command " + command.id() + ", still " + state);
            }
            String source = rs.getString("source_name") + ":" + rs.getString("source_ref");
            String duplicateOf = source.equals(f.sourceName() + ":" + line.number()) ? null : source;
            int code = rs.getInt("last_rtn_code");
            String rtnCode = rs.wasNull() ? null : Integer.toString(code);
            return new LineResult(line.number(), command.id(), command.operation(), state, duplicateOf,
                    rtnCode, rs.getString("last_rtn_msg"), null, rs.getString("last_reason"), readJson(rs.getString("reply")));
        }
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
            csv.printRecord(header);
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
                cells = new ArrayList<>(line.text() == null ? List.of() : LineParser.cells(line.text()));
            } catch (IllegalArgumentException e) {
                cells = new ArrayList<>(List.of(nz(line.text())));
            }
            while (cells.size() < header.size()) {
                cells.add("");
            }
            cells.set(header.indexOf("rejectLine"), Long.toString(line.number()));
            cells.set(header.indexOf("rejectField"), field);
            cells.set(header.indexOf("rejectReason"), reason);
            csv.printRecord(cells);
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

    public void setCatalog(OperationCatalog catalog) {
        this.catalog = catalog;
    }

    /** A line's command is not final yet: the file's results wait for the next round. */
    private static final class NotFinalYet extends RuntimeException {
        NotFinalYet(String message) {
            super(message, null, false, false);
        }
    }
}
