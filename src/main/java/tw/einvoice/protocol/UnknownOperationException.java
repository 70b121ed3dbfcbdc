package tw.einvoice.protocol;

import java.util.Collection;

/** A command names an operation that is not in the catalog. */
public class UnknownOperationException extends IllegalArgumentException {

    public UnknownOperationException(String name, Collection<String> known) {
        super("unknown operation '" + name + "'; known operations: " + String.join(", ", known));
    }
}
