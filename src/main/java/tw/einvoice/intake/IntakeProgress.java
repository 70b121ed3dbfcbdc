package tw.einvoice.intake;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Where a drop stands before (and when) its result files are written: its lines so far, and its journaled commands by
 * state. The totals always add up: {@code lines = journaled + duplicates + rejected} and
 * {@code journaled = waiting + inFlight + retrying + unknown + succeeded + dead}; {@code final = succeeded + dead + rejected}.
 * A duplicate line (its command was journaled before, by another drop or an earlier line) is counted apart: its
 * outcome is that command's, shown in the result file.
 *
 * @param phase READING (lines still being taken in), OPEN (all taken in, results not written yet), REPORTED (the
 *              result files are written: the counts are final)
 */
public record IntakeProgress(String sourceName, String kind, String originalName, String phase, long duplicates,
                             long rejected, StateCounts commands, Instant receivedAt, Instant asOf, List<String> results) {

    public static final String READING = "READING";
    public static final String OPEN = "OPEN";
    public static final String REPORTED = "REPORTED";

    /** Journaled commands by state. */
    public record StateCounts(long waiting, long inFlight, long retrying, long unknown, long succeeded, long dead) {

        public static final StateCounts NONE = new StateCounts(0, 0, 0, 0, 0, 0);

        public long journaled() {
            return waiting + inFlight + retrying + unknown + succeeded + dead;
        }

        public long finalCount() {
            return succeeded + dead;
        }
    }

    public long lines() {
        return commands.journaled() + duplicates + rejected;
    }

    /** Lines whose outcome will not change: succeeded, dead or rejected. */
    public long finalLines() {
        return commands.finalCount() + rejected;
    }

    public boolean complete() {
        return REPORTED.equals(phase);
    }

    /** The counts alone, to tell whether anything changed since the last time. */
    String countsKey() {
        return phase + ' ' + duplicates + ' ' + rejected + ' ' + commands;
    }

    /** The progress file's content. */
    public ObjectNode toJson() {
        ObjectNode o = LineParser.JSON.createObjectNode();
        o.put("file", sourceName);
        o.put("name", originalName);
        o.put("source", kind);
        o.put("phase", phase);
        o.put("complete", complete());
        o.put("lines", lines());
        o.put("journaled", commands.journaled());
        o.put("duplicates", duplicates);
        o.put("rejected", rejected);
        o.put("waiting", commands.waiting());
        o.put("inFlight", commands.inFlight());
        o.put("retrying", commands.retrying());
        o.put("unknown", commands.unknown());
        o.put("succeeded", commands.succeeded());
        o.put("dead", commands.dead());
        o.put("final", finalLines());
        o.put("receivedAt", receivedAt == null ? null : receivedAt.toString());
        o.put("asOf", asOf.toString());
        if (results != null) {
            ArrayNode names = o.putArray("results");
            results.forEach(names::add);
        }
        return o;
    }
}
