package tw.einvoice.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
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
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalException;

/**
 * The daily summary: per merchant, operation and final state, the commands that became final on a day (Asia/Taipei,
 * the day of ECPay's own ledger) and their amounts (SalesAmount of invoices, AllowanceAmount of allowances), read from
 * the {@code ecpay_daily_summary} view. Written as {@code <dir>/summary-YYYY-MM-DD.csv} once a day for the day before,
 * after {@code time} Asia/Taipei (each instance checks; the file's existence says it is done), and on demand.
 */
public class DailySummary {

    private static final Logger LOG = LoggerFactory.getLogger(DailySummary.class);
    public static final ZoneId TAIPEI = ZoneId.of("Asia/Taipei");
    /** The header holding the day wanted from direct:daily-summary (yyyy-MM-dd; default: yesterday). */
    public static final String DATE_HEADER = "SummaryDate";
    static final List<String> COLUMNS = List.of("date", "merchant_id", "operation", "state", "commands", "amount");

    /** One row of the view. */
    public record Row(LocalDate date, String merchantId, String operation, String state, long commands, BigDecimal amount) {
    }

    private volatile DataSource dataSource;
    private volatile Clock clock = Clock.systemUTC();
    private Path dir = Paths.get("work/reports");
    private LocalTime time = LocalTime.of(0, 10);

    /** For YAML beans: the journal bean is looked up on first use. */
    public DailySummary() {
    }

    public DailySummary(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    private void resolve(Exchange exchange) {
        if (dataSource == null) {
            Journal journal = exchange.getContext().getRegistry().lookupByNameAndType("journal", Journal.class);
            if (journal == null) {
                throw new IllegalStateException("no 'journal' bean: load routes/beans.camel.yaml with the report routes");
            }
            clock = journal.clock() != null ? journal.clock() : Clock.systemUTC();
            dataSource = journal.dataSource();
        }
    }

    /** As {@link #writeDue()}, finding the journal first. */
    public Path writeDue(Exchange exchange) {
        resolve(exchange);
        return writeDue();
    }

    /** Yesterday's summary (Asia/Taipei) once the configured time of day has passed, unless written already; else null. */
    public Path writeDue() {
        ZonedDateTime now = clock.instant().atZone(TAIPEI);
        if (now.toLocalTime().isBefore(time)) {
            return null;
        }
        LocalDate day = now.toLocalDate().minusDays(1);
        return Files.exists(path(day)) ? null : write(day);
    }

    /** On demand: the day in header {@value #DATE_HEADER} (yyyy-MM-dd), or yesterday; written even if it exists. */
    public Path write(Exchange exchange) {
        resolve(exchange);
        String wanted = exchange.getIn().getHeader(DATE_HEADER, String.class);
        LocalDate day = wanted == null || wanted.isBlank() ? clock.instant().atZone(TAIPEI).toLocalDate().minusDays(1)
                : LocalDate.parse(wanted.strip());
        return write(day);
    }

    /** The summary of one day, as the view gives it. */
    public List<Row> rows(LocalDate day) {
        String sql = "SELECT summary_date, merchant_id, operation, state, commands, amount FROM ecpay_daily_summary "
                + "WHERE summary_date = ? ORDER BY merchant_id, operation, state";
        List<Row> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getObject(1, LocalDate.class), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getBigDecimal(6)));
                }
            }
        } catch (SQLException e) {
            throw new JournalException("cannot read the daily summary of " + day + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Writes {@code summary-<day>.csv} whole under a temporary name, then renames it into place. */
    public Path write(LocalDate day) {
        List<Row> rows = rows(day);
        Path target = path(day);
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.createDirectories(dir);
            try (Writer w = new BufferedWriter(Files.newBufferedWriter(part, StandardCharsets.UTF_8));
                 CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT)) {
                csv.printRecord(COLUMNS);
                for (Row r : rows) {
                    csv.printRecord(r.date(), r.merchantId(), r.operation(), r.state(), r.commands(),
                            r.amount() == null ? "" : r.amount().stripTrailingZeros().toPlainString());
                }
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        LOG.info("Daily summary of {} written: {} ({} rows)", day, target, rows.size());
        return target;
    }

    public Path path(LocalDate day) {
        return dir.resolve("summary-" + day + ".csv");
    }

    /** The reports folder. */
    public void setDir(String dir) {
        this.dir = Paths.get(dir);
    }

    /** The time of day (Asia/Taipei, HH:mm) after which yesterday's summary is written. */
    public void setTime(String time) {
        this.time = LocalTime.parse(time.strip());
    }
}
