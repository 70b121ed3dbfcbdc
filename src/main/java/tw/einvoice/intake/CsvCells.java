package tw.einvoice.intake;

import java.util.ArrayList;
import java.util.List;

/**
 * Cells of the CSV files the product writes (result and rejects files, which carry a BOM so spreadsheet programs open
 * them), neutralised against formula injection as OWASP recommends: a cell that starts with {@code =}, {@code +},
 * {@code -}, {@code @}, a tab or a carriage return gets a leading single quote, which spreadsheet programs read as
 * "this cell is text". Cells are also quoted by the CSV printer when they hold a separator or a quote.
 *
 * <p>So that a rejects file can be dropped again as it is, the quote is added to a cell that already starts with
 * quotes followed by one of those characters too ({@code '=x} becomes {@code ''=x}), and {@link #restore} removes
 * exactly one: the round trip gives back the value as it was. JSON outputs and the journal keep values unchanged.
 */
public final class CsvCells {

    private CsvCells() {
    }

    private static boolean isTrigger(char c) {
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }

    /** True when the value, after any leading single quotes, starts with a formula trigger. */
    private static boolean quotedOrTrigger(String value) {
        int i = 0;
        while (i < value.length() && value.charAt(i) == '\'') {
            i++;
        }
        return i < value.length() && isTrigger(value.charAt(i));
    }

    /** The cell as it is written: a single quote in front of anything a spreadsheet would run as a formula. */
    public static String neutralise(String value) {
        if (value == null || value.isEmpty()) {
            return value == null ? "" : value;
        }
        return quotedOrTrigger(value) ? "'" + value : value;
    }

    public static List<String> neutralise(List<String> cells) {
        List<String> out = new ArrayList<>(cells.size());
        for (String c : cells) {
            out.add(neutralise(c));
        }
        return out;
    }

    /** The value a neutralised cell stood for (a rejects file dropped again). */
    public static String restore(String cell) {
        if (cell != null && cell.startsWith("'") && quotedOrTrigger(cell)) {
            return cell.substring(1);
        }
        return cell;
    }
}
