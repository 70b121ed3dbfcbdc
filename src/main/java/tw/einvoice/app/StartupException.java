package tw.einvoice.app;

import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import tw.einvoice.protocol.UnknownOperationException;

/** A configuration mistake found at start, explained in one line. The process prints it and exits non-zero. */
public final class StartupException extends RuntimeException {

    public StartupException(String oneLine) {
        super(oneLine);
    }

    /**
     * One line for whatever stopped Camel from starting: the cause a user can act on (port, database, operation,
     * folder), else the outermost and innermost messages, which together name the file and the reason.
     */
    public static StartupException explain(Throwable failure) {
        if (failure instanceof StartupException s) {
            return s;
        }
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            if (t instanceof StartupException s) {
                return s;
            }
            if (t instanceof BindException) {
                return new StartupException("a port is already in use: " + t.getMessage());
            }
            if (t instanceof UnknownOperationException) {
                return new StartupException("unknown operation in the configuration: " + t.getMessage());
            }
            if (t instanceof AccessDeniedException || t instanceof NoSuchFileException) {
                return new StartupException("folder or file not readable: " + t.getMessage());
            }
            if (t instanceof SQLException || String.valueOf(t.getMessage()).startsWith("journal database")) {
                return new StartupException(String.valueOf(t.getMessage()).startsWith("journal database")
                        ? t.getMessage() : "journal database unreachable: " + t.getMessage());
            }
        }
        String outer = oneLine(failure.getMessage());
        String inner = oneLine(root.getMessage());
        return new StartupException(outer.equals(inner) || inner.isEmpty() ? "cannot start: " + outer
                : "cannot start: " + outer + " - caused by " + root.getClass().getSimpleName() + ": " + inner);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
