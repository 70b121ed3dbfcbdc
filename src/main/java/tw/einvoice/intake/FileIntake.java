package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.camel.Exchange;
import org.apache.camel.Ordered;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.camel.EcpayHeaders;

/**
 * Takes in a dropped file line by line (the routes split it in chunks of lines, streaming): each line is
 * validated against the operation catalog and journaled as a command, or rejected with its line number, field and
 * reason. The file itself is archived under {@code <received stamp>-<name>}, which is also the commands'
 * {@code source_name}, so its result files can be written when they are all final.
 */
public class FileIntake {

    private static final Logger LOG = LoggerFactory.getLogger(FileIntake.class);
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmssSSS").withZone(ZoneOffset.UTC);


    private volatile Journal journal;
    private volatile Clock clock = Clock.systemUTC();
    private volatile IntakeFileStore files;
    private int chunkSize = 500;
    private OperationCatalog catalog = OperationCatalog.standard();
    private String defaultMerchantId = "";
    private Charset defaultCharset = StandardCharsets.UTF_8;
    private Duration progressInterval = Duration.ofSeconds(10);
    private String archiveDir = "work/intake/archive";
    private List<String> doneSuffixes = List.of(".done", ".ok");
    private Duration quiet = Duration.ofSeconds(10);
    /** Drops being read by this instance, for their progress files (IntakeReports). */
    private final java.util.Map<String, IntakeTally> reading = new java.util.concurrent.ConcurrentHashMap<>();

    /** What one file's intake needs between its steps (kept in an exchange property). */
    record State(String kind, String sourceName, String originalName, Path readPath, DropReader reader, LineParser parser,
                 IntakeTally tally, DropReader.Follow follow) {
    }

    /** A rejected line on its way to the dead-letter channel. */
    public record Reject(String kind, String sourceName, DropLine line, InvalidLineException problem) {
    }

    /** For YAML beans: the journal and clock beans are looked up on first use (bean files load in any order). */
    public FileIntake() {
    }

    public FileIntake(Journal journal, Clock clock) {
        use(journal, clock);
    }

    private void use(Journal journal, Clock clock) {
        this.clock = clock;
        this.files = new IntakeFileStore(journal.dataSource(), clock);
        this.journal = journal;
    }

    private void resolve(Exchange exchange) {
        if (journal == null) {
            Journal j = JournalBeans.journal(exchange.getContext().getRegistry());
            use(j, j.clock() != null ? j.clock() : Clock.systemUTC());
        }
    }

    /**
     * Names the drop: {@code <UTC received stamp>-<name>}, unique per drop, the archive name and source name. A long
     * name, or one holding control characters, is shortened and cleaned there ({@link DropNames#derived}).
     */
    public void stamp(Exchange exchange) {
        resolve(exchange);
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        exchange.getIn().setHeader(EcpayHeaders.INTAKE_SOURCE_NAME, STAMP.format(clock.instant()) + "-" + DropNames.derived(name));
    }

    /**
     * A local drop: read in place; archived to {@code archiveDir} (moved by the file consumer). Without a done file it
     * may still be being written: it is read on until it stayed unchanged for the quiet period. Its done files are
     * deleted once it has left the inbox.
     */
    public void openLocal(Exchange exchange) {
        String sourceName = exchange.getIn().getHeader(EcpayHeaders.INTAKE_SOURCE_NAME, String.class);
        Path inbox = Paths.get(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        Path archived = Paths.get(archiveDir).toAbsolutePath().resolve(sourceName);
        exchange.getIn().setHeader(EcpayHeaders.INTAKE_MOVE_TO, archived.toString());
        List<Path> markers = DropReadiness.markers(inbox, doneSuffixes);
        DropReader.Follow follow = null;
        if (markers.isEmpty()) {
            if (!quiet.isZero()) {
                Long length = exchange.getIn().getHeader(Exchange.FILE_LENGTH, Long.class);
                Long modified = exchange.getIn().getHeader(Exchange.FILE_LAST_MODIFIED, Long.class);
                follow = new DropReader.Follow(inbox, length == null ? -1 : length, modified == null ? -1 : modified, quiet);
            }
        } else {
            exchange.getExchangeExtension().addOnCompletion(new DoneFileCleanup(inbox, markers));
        }
        open(exchange, "file", inbox, inbox.resolveSibling(".failed").resolve(sourceName).toString(), follow);
    }

    /** Deletes a drop's done files once the file consumer has moved the drop out of the inbox (it runs after that move). */
    private static final class DoneFileCleanup extends SynchronizationAdapter {
        private final Path drop;
        private final List<Path> markers;

        DoneFileCleanup(Path drop, List<Path> markers) {
            this.drop = drop;
            this.markers = markers;
        }

        @Override
        public void onComplete(Exchange exchange) {
            if (Files.exists(drop)) {
                return; // still in the inbox (it is taken again): its done file still says it is complete
            }
            for (Path marker : markers) {
                try {
                    Files.deleteIfExists(marker);
                } catch (IOException e) {
                    LOG.warn("Intake: done file {} not deleted: {}", SafeText.log(marker), SafeText.log(e.getMessage()));
                }
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST; // after the file consumer's own move
        }
    }

    /**
     * A remote drop: read from the local copy the route has just written (header CamelFileNameProduced). Where the
     * server archives it is the route's (header IntakeMoveTo); an unreadable one goes to .failed beside it there.
     */
    public void openSftp(Exchange exchange) {
        String sourceName = exchange.getIn().getHeader(EcpayHeaders.INTAKE_SOURCE_NAME, String.class);
        String copy = exchange.getIn().getHeader(Exchange.FILE_NAME_PRODUCED, String.class);
        if (copy == null) {
            throw new IllegalStateException("Intake " + sourceName + ": no local copy to read (send it to a file: endpoint first)");
        }
        open(exchange, "sftp", Paths.get(copy).toAbsolutePath(), ".failed/" + sourceName, null);
    }

    private void open(Exchange exchange, String kind, Path readPath, String failedTo, DropReader.Follow follow) {
        String sourceName = exchange.getIn().getHeader(EcpayHeaders.INTAKE_SOURCE_NAME, String.class);
        String originalName = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        DropFormat format = DropFormat.of(originalName);
        Charset charset = DropFormat.charsetOf(originalName, defaultCharset);
        DropReader reader = null;
        try {
            if (format == null) {
                throw new UnreadableFileException("is neither .jsonl/.ndjson nor .csv");
            }
            reader = DropReader.open(readPath, charset, follow);
            LineParser parser = format == DropFormat.JSONL ? LineParser.jsonLines(catalog, defaultMerchantId)
                    : LineParser.csv(reader.hasNext() ? reader.next() : null, catalog, defaultMerchantId);
            DropReader opened = reader;
            Path archivePath = kind.equals("file") ? Paths.get(exchange.getIn().getHeader(EcpayHeaders.INTAKE_MOVE_TO, String.class)) : readPath;
            IntakeTally tally = new IntakeTally(sourceName, kind, originalName, archivePath, clock, progressInterval);
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    opened.close();
                    reading.remove(sourceName);
                    if (done.isFailed()) {
                        IntakeReports.deleteProgress(archivePath); // taken again under a new name
                    }
                }
            });
            reading.put(sourceName, tally);
            exchange.setProperty(EcpayHeaders.INTAKE_STATE, new State(kind, sourceName, originalName, readPath, reader, parser, tally, follow));
            exchange.getIn().setBody(new Chunks(reader, chunkSize));
            LOG.info("Intake {}: reading {} ({}, {})", SafeText.log(sourceName), SafeText.log(originalName), format.extension(),
                    charset.name());
        } catch (UnreadableFileException e) {
            if (reader != null) {
                reader.close();
            }
            String why = originalName + " cannot be read: it " + e.getMessage();
            LOG.error("Intake {}: {}; moved to {}", SafeText.log(sourceName), SafeText.log(why), SafeText.log(failedTo));
            exchange.getIn().setHeader(EcpayHeaders.INTAKE_UNREADABLE, why);
            exchange.getIn().setHeader(EcpayHeaders.INTAKE_MOVE_TO, failedTo);
        } catch (RuntimeException e) {
            // e.g. the CSV header could not be read: the file stays for the next poll, its handle must not
            if (reader != null) {
                reader.close();
            }
            throw e;
        }
    }

    /**
     * Journals a chunk of lines in one transaction (one commit per chunk, not per line): each valid line INSERTED or
     * DUPLICATE; returns the lines rejected, for the dead-letter channel.
     */
    public List<Reject> accept(List<DropLine> lines, Exchange exchange) throws SQLException {
        State s = state(exchange);
        List<Reject> rejects = new ArrayList<>();
        long inserted = 0;
        long duplicates = 0;
        try (Connection c = journal.dataSource().getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (DropLine line : lines) {
                    Command command;
                    try {
                        command = s.parser().parse(line);
                    } catch (InvalidLineException e) {
                        rejects.add(new Reject(s.kind(), s.sourceName(), line, e));
                        continue;
                    }
                    if (journal.insert(c, command, new Source(s.kind(), s.sourceName(), Long.toString(line.number())))
                            == Journal.Insert.INSERTED) {
                        inserted++;
                    } else {
                        duplicates++;
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
        s.tally().add(inserted, duplicates, rejects.size());
        return rejects;
    }

    /** One rejected line as a JSON record (file, line, id, field, reason, input), with headers saying the same. */
    public String reject(Reject r, Exchange exchange) {
        InvalidLineException e = r.problem();
        ObjectNode reject = LineParser.JSON.createObjectNode();
        reject.put("source", r.kind());
        reject.put("file", r.sourceName());
        reject.put("line", r.line().number());
        State s = exchange.getProperty(EcpayHeaders.INTAKE_STATE, State.class);
        // the line's own id as written when it is not a valid command (unknown operation, bad JSON further on ...)
        reject.put("id", e.commandId() != null || s == null ? e.commandId() : s.parser().rawValue(r.line(), "id"));
        reject.put("field", e.field());
        reject.put("reason", e.reason());
        reject.put("input", r.line().text());
        exchange.getIn().setHeader(EcpayHeaders.INTAKE_SOURCE_NAME, r.sourceName());
        // a folder channel keeps one file per rejected line
        exchange.getIn().setHeader(Exchange.FILE_NAME, r.sourceName() + ".line-" + r.line().number() + ".reject.json");
        exchange.getIn().setHeader(EcpayHeaders.INTAKE_LINE, r.line().number());
        exchange.getIn().setHeader(EcpayHeaders.INTAKE_FIELD, e.field());
        exchange.getIn().setHeader(EcpayHeaders.INTAKE_REASON, e.reason());
        if (LOG.isDebugEnabled()) {
            LOG.debug("Intake {}: rejected {}", SafeText.log(r.sourceName()), SafeText.log(e.getMessage()));
        }
        return reject.toString() + "\n";
    }

    /** The lines of a drop in chunks of {@code size}, read as they are asked for. */
    static final class Chunks implements Iterator<List<DropLine>>, Closeable {
        private final DropReader reader;
        private final int size;

        Chunks(DropReader reader, int size) {
            this.reader = reader;
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return reader.hasNext();
        }

        @Override
        public List<DropLine> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            List<DropLine> chunk = new ArrayList<>(size);
            while (chunk.size() < size && reader.hasNext()) {
                chunk.add(reader.next());
            }
            return chunk;
        }

        @Override
        public void close() {
            reader.close();
        }
    }

    /** Records the file for its result report and logs the summary. */
    public String finish(Exchange exchange) {
        State s = state(exchange);
        s.reader().close();
        IntakeTally t = s.tally();
        files.record(new IntakeFileStore.IntakeFile(s.sourceName(), s.kind(), s.originalName(),
                s.kind().equals("file") ? exchange.getIn().getHeader(EcpayHeaders.INTAKE_MOVE_TO, String.class) : s.readPath().toString(),
                s.parser().format(), DropFormat.charsetOf(s.originalName(), defaultCharset).name(), t.lines(), t.insertedCount(),
                t.duplicateCount(), t.rejectedCount()));
        if (s.follow() != null && s.follow().grew()) {
            LOG.warn("Intake {}: {} grew while it was read (it was still being written): read on until it stayed unchanged "
                    + "for {} ms. Write drops under another name and rename them, or add a done file ({}), when complete",
                    SafeText.log(s.sourceName()), SafeText.log(s.originalName()), quiet.toMillis(),
                    SafeText.log(s.originalName()) + doneSuffixes.stream().findFirst().orElse(".done"));
        }
        String summary = t.summary();
        LOG.info(summary);
        return summary;
    }

    /** The drops this instance is reading now. */
    public List<IntakeTally> reading() {
        return List.copyOf(reading.values());
    }

    private static State state(Exchange exchange) {
        State s = exchange.getProperty(EcpayHeaders.INTAKE_STATE, State.class);
        if (s == null) {
            throw new IllegalStateException("no intake is open on this exchange");
        }
        return s;
    }

    public void setCatalog(OperationCatalog catalog) {
        this.catalog = catalog;
    }

    public void setDefaultMerchantId(String defaultMerchantId) {
        this.defaultMerchantId = defaultMerchantId;
    }

    public void setDefaultCharset(String charset) {
        this.defaultCharset = charset == null || charset.isBlank() ? StandardCharsets.UTF_8 : DropFormat.charset(charset);
    }

    public void setProgressSeconds(int seconds) {
        this.progressInterval = Duration.ofSeconds(Math.max(1, seconds));
    }

    /** Lines journaled per transaction. */
    public void setChunkSize(int chunkSize) {
        this.chunkSize = Math.max(1, chunkSize);
    }

    public void setArchiveDir(String archiveDir) {
        this.archiveDir = archiveDir;
    }

    /** Done-file suffixes, {@code .done,.ok} by default. */
    public void setDoneSuffixes(String list) {
        this.doneSuffixes = DropReadiness.suffixes(list);
    }

    /** How long a drop without a done file must stay unchanged before its end counts (0: no waiting). */
    public void setQuietMs(long ms) {
        this.quiet = Duration.ofMillis(Math.max(0, ms));
    }

    public String getArchiveDir() {
        return archiveDir;
    }
}
