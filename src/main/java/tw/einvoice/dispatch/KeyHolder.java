package tw.einvoice.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Evidence;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.Verdict;

/**
 * A lookup by another command's key ({@code adoptWith.via}): TriggerIssue and CancelDelayIssue carry only a Tsr, and the
 * invoice is found by the RelateNumber of the DelayIssue that staged it. That command is found in the journal (same
 * merchant, same Tsr, accepted by ECPay); without it nothing can be looked up, and the command ends DEAD naming the check.
 */
final class KeyHolder {

    /** The id of the journaled command whose Data the lookup was built from. */
    static final String PROP_HOLDER = "EcpayKeyHolder";
    private static final int SCAN_LIMIT = 20;

    private KeyHolder() {
    }

    /**
     * The Data of the journaled command that holds the lookup's key, or null: then the message is DEAD with a reason
     * naming the lookup to make by hand.
     */
    static ObjectNode data(Journal journal, Operation.Adopt adopt, Claim claim, Exchange exchange) {
        ObjectNode own = Dispatcher.data(claim);
        Operation.Via via = adopt.via();
        List<CommandRow> holders = candidates(journal, via, claim.merchantId(), own);
        CommandRow accepted = holders.stream().filter(r -> r.state() == CommandState.SUCCEEDED).findFirst().orElse(null);
        if (accepted == null) {
            Message in = exchange.getMessage();
            String found = holders.isEmpty() ? "none is journaled"
                    : holders.stream().map(r -> r.id() + " is " + r.state()).collect(Collectors.joining(", "));
            in.setHeader(EcpayHeaders.OUTCOME, Verdict.DEAD.name());
            in.setHeader(EcpayHeaders.REASON, in.getHeader(EcpayHeaders.REASON) + "; no " + via.operation() + " of merchant "
                    + claim.merchantId() + " with " + key(via, own) + " accepted by ECPay is on record (" + found
                    + ") to look it up by: check with " + adopt.operation() + " by the " + String.join("/", adopt.fields())
                    + " of the " + via.operation() + " with " + key(via, own) + " (" + meaning(adopt) + ") before sending it again");
            return null;
        }
        exchange.setProperty(PROP_HOLDER, accepted.id());
        return (ObjectNode) Dispatcher.parse(accepted.payload());
    }

    /**
     * What the lookup by the holder's key proves: with {@code absent}, nothing found is the change done (SUCCEEDED) and
     * something found is not (DEAD); without, nothing found is not done (DEAD). The first call's headers stand otherwise.
     */
    static void concluded(Exchange exchange, Claim claim, Operation.Adopt adopt, boolean nothing, Map<String, Object> first) {
        Message in = exchange.getMessage();
        ObjectNode about = exchange.getProperty(Dispatcher.PROP_LOOKUP_DATA, ObjectNode.class);
        String by = adopt.operation() + " by " + adopt.fields().stream().map(f -> f + " " + Command.value(about, f).asText())
                .collect(Collectors.joining(", ")) + " (of " + adopt.via().operation() + " " + exchange.getProperty(PROP_HOLDER) + ")";
        String shown = nothing ? "finds nothing" : "finds " + found(Dispatcher.parse(in.getBody(String.class)));
        in.removeHeaders("Ecpay*");
        in.setHeaders(new HashMap<>(first));
        String said = first.get(EcpayHeaders.REASON) + "; " + by + " " + shown;
        if (adopt.absent() && nothing) {
            Evidence evidence = claim.maybeSentBefore() ? Evidence.LOOKUP : Evidence.LOOKUP_WITHOUT_RECORD;
            in.setHeader(EcpayHeaders.EVIDENCE, evidence.name());
            in.setHeader(EcpayHeaders.REASON, said + ": done" + (evidence == Evidence.LOOKUP_WITHOUT_RECORD
                    ? " (no earlier attempt of this command is on record: check where it came from)" : ""));
        } else {
            in.setHeader(EcpayHeaders.OUTCOME, Verdict.DEAD.name());
            in.setHeader(EcpayHeaders.REASON, said + ": not done by this command" + (adopt.absent() ? ""
                    : " (or not issued yet, if it was scheduled for a later day): check with " + by + " before sending it again"));
        }
    }

    /** The journaled commands of the holder's operation and merchant whose match fields hold this command's values. */
    static List<CommandRow> candidates(Journal journal, Operation.Via via, String merchantId, ObjectNode own) {
        // the default id first (operation:merchant:key, as Command.businessKey makes it), then a search of the payloads for the first match field
        CommandRow byId = journal.find(via.operation() + ":" + merchantId + ":" + via.match().stream()
                .map(f -> Command.value(own, f).asText()).collect(Collectors.joining(":")));
        if (byId != null && holds(byId, via, merchantId, own) && byId.state() == CommandState.SUCCEEDED) {
            return List.of(byId);
        }
        String first = via.match().get(0);
        return journal.holding(via.operation(), merchantId, Journal.JsonColumn.PAYLOAD, first, Command.value(own, first).asText(),
                SCAN_LIMIT).stream().filter(r -> holds(r, via, merchantId, own)).toList();
    }

    private static boolean holds(CommandRow row, Operation.Via via, String merchantId, ObjectNode own) {
        JsonNode data = Dispatcher.parse(row.payload());
        return row.operation().equals(via.operation()) && row.merchantId().equals(merchantId)
                && via.match().stream().allMatch(f -> !Command.value(own, f).asText().isEmpty()
                        && Command.value(own, f).asText().equals(Command.value(data, f).asText()));
    }

    private static String key(Operation.Via via, ObjectNode own) {
        return via.match().stream().map(f -> f + " " + Command.value(own, f).asText()).collect(Collectors.joining(", "));
    }

    private static String meaning(Operation.Adopt adopt) {
        return adopt.absent() ? "nothing found: done; something found: not done" : "found: done; nothing found: not done";
    }

    private static String found(JsonNode reply) {
        for (String f : List.of("IIS_Number", "InvoiceNo", "InvoiceNumber")) {
            if (!reply.path(f).asText("").isEmpty()) {
                return "invoice " + reply.path(f).asText();
            }
        }
        return "an entry";
    }
}
