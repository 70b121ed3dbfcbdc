package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.InvalidCommandException;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Violation;

/**
 * The keys of a command taken in (file, SFTP or table intake) may not hold control characters: the id, the merchant
 * and the business-key fields (RelateNumber, Tsr, InvoiceNo ...) are written to logs, file names, result files and
 * ERP tables, where a newline or an ESC would forge a log line or hide what the value is.
 */
public final class IntakeKeys {

    private IntakeKeys() {
    }

    /**
     * @throws InvalidCommandException naming each key that holds a control character, and which one
     */
    public static void check(Command command, OperationCatalog catalog) {
        Operation op = catalog.find(command.operation());
        String opName = op == null ? command.operation() : op.name();
        List<Violation> problems = new ArrayList<>();
        // business keys first: a default id is made of them, and the field to fix is the key
        if (op != null) {
            Set<String> keys = new LinkedHashSet<>(op.businessKey());
            op.businessKeyAlternatives().forEach(keys::addAll);
            for (String key : keys) {
                JsonNode value = command.data().get(key);
                if (value != null && value.isTextual()) {
                    add(problems, opName, key, value.asText());
                }
            }
        }
        add(problems, opName, "id", command.id());
        add(problems, opName, "merchantId", command.merchantId());
        if (!problems.isEmpty()) {
            throw new InvalidCommandException(command.id(), problems);
        }
    }

    private static void add(List<Violation> problems, String op, String field, String value) {
        int at = SafeText.firstControl(value);
        if (at >= 0) {
            problems.add(new Violation(op, field, "control", "holds the control character " + SafeText.codePoint(value.charAt(at))
                    + " at position " + (at + 1) + ": keys may not hold control characters (line breaks, tabs, NUL, ESC ...)"));
        }
    }
}
