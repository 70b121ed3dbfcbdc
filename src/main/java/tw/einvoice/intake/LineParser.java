package tw.einvoice.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.FieldRule;
import tw.einvoice.protocol.InvalidCommandException;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;

/**
 * Turns one line of a drop file into a validated {@link Command}.
 * <ul>
 * <li>JSON Lines: the line is the command, {@code {"id","operation","merchantId"?,"data":{...}}}.</li>
 * <li>CSV: columns {@code id}, {@code operation}, optional {@code merchantId}, then ECPay Data field names. Empty
 * cells are left out. A list field ({@code Items}) is a JSON cell: {@code "[{""ItemName"":""Pen"",...}]"}.
 * Columns {@code rejectLine}, {@code rejectField}, {@code rejectReason} (added in rejects files) are ignored, so a
 * fixed rejects file can be dropped again as it is; in such a file the cells neutralised against formula injection
 * ({@link CsvCells}) are read back to their values.</li>
 * </ul>
 * The keys of a command (id, merchant, business keys) may not hold control characters ({@link IntakeKeys}).
 * One record per physical line: CSV cells may not hold line breaks (JSON cells never need one).
 */
public final class LineParser {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    public static final CSVFormat CSV = CSVFormat.DEFAULT;
    static final List<String> REJECT_COLUMNS = List.of("rejectLine", "rejectField", "rejectReason");
    private static final Set<String> COMMAND_COLUMNS = Set.of("id", "operation", "merchantId");

    private final DropFormat format;
    private final OperationCatalog catalog;
    private final String defaultMerchantId;
    private final List<String> header;
    /** A rejects file written by this product: its cells were neutralised against formula injection. */
    private final boolean neutralised;

    private LineParser(DropFormat format, OperationCatalog catalog, String defaultMerchantId, List<String> header) {
        this.format = format;
        this.catalog = catalog;
        this.defaultMerchantId = defaultMerchantId;
        this.neutralised = header.containsAll(REJECT_COLUMNS);
        this.header = neutralised ? header.stream().map(CsvCells::restore).toList() : header;
    }

    public static LineParser jsonLines(OperationCatalog catalog, String defaultMerchantId) {
        return new LineParser(DropFormat.JSONL, catalog, defaultMerchantId, List.of());
    }

    /**
     * A CSV parser for the header line given.
     *
     * @throws UnreadableFileException when the header is no CSV or lacks the {@code operation} column
     */
    public static LineParser csv(DropLine headerLine, OperationCatalog catalog, String defaultMerchantId) {
        if (headerLine == null) {
            throw new UnreadableFileException("has no header row");
        }
        if (headerLine.text() == null) {
            throw new UnreadableFileException("has a header row that " + headerLine.problem());
        }
        List<String> cells;
        try {
            cells = cells(headerLine.text()).stream().map(String::strip).toList();
        } catch (IllegalArgumentException e) {
            throw new UnreadableFileException("has a header row that is not CSV: " + e.getMessage());
        }
        if (!cells.contains("operation")) {
            throw new UnreadableFileException("has no 'operation' column in its header row (line " + headerLine.number()
                    + "): columns are id, operation, merchantId (optional), then ECPay Data field names");
        }
        return new LineParser(DropFormat.CSV, catalog, defaultMerchantId, cells);
    }

    public DropFormat format() {
        return format;
    }

    public List<String> header() {
        return header;
    }

    /**
     * The validated command on this line.
     *
     * @throws InvalidLineException naming the line, the first offending field and every reason
     */
    public Command parse(DropLine line) {
        ObjectNode node = node(line);
        try {
            Command command = Command.from(node, catalog, defaultMerchantId);
            IntakeKeys.check(command, catalog);
            return command;
        } catch (InvalidCommandException e) {
            String id = e.commandId() != null ? e.commandId() : node.path("id").asText(null);
            throw new InvalidLineException(line.number(), e.field(), e.getMessage(), id);
        }
    }

    /** The line as a command JSON object, before validation. */
    public ObjectNode node(DropLine line) {
        if (line.text() == null) {
            throw new InvalidLineException(line.number(), "(line)", line.problem(), null);
        }
        return format == DropFormat.JSONL ? jsonNode(line) : csvNode(line);
    }

    private ObjectNode jsonNode(DropLine line) {
        JsonNode node;
        try {
            node = JSON.readTree(line.text());
        } catch (JsonProcessingException e) {
            throw new InvalidLineException(line.number(), "(line)", "is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidLineException(line.number(), "(line)", "is not a JSON object", null);
        }
        return (ObjectNode) node;
    }

    /**
     * The line's own value of {@code key} ({@code id}, {@code operation}) as written, whether or not the line is a
     * valid command; null when the line has none or cannot be read that far.
     */
    public String rawValue(DropLine line, String key) {
        if (line.text() == null) {
            return null;
        }
        try {
            if (format == DropFormat.JSONL) {
                JsonNode value = jsonNode(line).get(key);
                return value == null || value.isNull() ? null : value.isValueNode() ? value.asText() : value.toString();
            }
            int i = header.indexOf(key);
            List<String> cells = csvCells(line.text());
            return i < 0 || i >= cells.size() || cells.get(i).isEmpty() ? null : cells.get(i);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The cells of a CSV line as values (neutralised cells of a rejects file read back). */
    List<String> csvCells(String text) {
        List<String> cells = cells(text);
        return neutralised ? cells.stream().map(CsvCells::restore).toList() : cells;
    }

    private ObjectNode csvNode(DropLine line) {
        List<String> cells;
        try {
            cells = csvCells(line.text());
        } catch (IllegalArgumentException e) {
            throw new InvalidLineException(line.number(), "(line)", "is not valid CSV: " + e.getMessage(), null);
        }
        if (cells.size() > header.size()) {
            throw new InvalidLineException(line.number(), "(line)", "has " + cells.size() + " cells, the header has "
                    + header.size(), null);
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode data = root.putObject("data");
        Operation op = null;
        int opIndex = header.indexOf("operation");
        if (opIndex < cells.size()) {
            op = catalog.find(cells.get(opIndex));
        }
        for (int i = 0; i < cells.size(); i++) {
            String column = header.get(i);
            String value = cells.get(i);
            if (value.isEmpty() || column.isEmpty() || REJECT_COLUMNS.contains(column)) {
                continue;
            }
            if (COMMAND_COLUMNS.contains(column)) {
                root.put(column, value);
            } else if (op != null && isList(op, column)) {
                data.set(column, jsonCell(line, column, value));
            } else {
                data.put(column, value);
            }
        }
        return root;
    }

    private static boolean isList(Operation op, String column) {
        FieldRule rule = op.field(column);
        return rule != null && "array".equals(rule.type());
    }

    private static JsonNode jsonCell(DropLine line, String column, String value) {
        try {
            return JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new InvalidLineException(line.number(), column, "is not a JSON list: " + e.getOriginalMessage(), null);
        }
    }

    /** The cells of one CSV line (Commons CSV, RFC 4180 quoting). */
    static List<String> cells(String text) {
        try (CSVParser parser = CSVParser.parse(new StringReader(text), CSV)) {
            List<CSVRecord> records = parser.getRecords();
            if (records.size() != 1) {
                throw new IllegalArgumentException("a line must hold exactly one record");
            }
            List<String> out = new ArrayList<>(records.get(0).size());
            records.get(0).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getCause() != null ? e.getCause().getMessage() : e.getMessage(), e);
        }
    }
}
