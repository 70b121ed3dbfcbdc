package tw.einvoice.protocol;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The catalog's regular expressions, each compiled once. Field and cross-field rules are checked on every line of every
 * drop; compiling a rule's pattern per check was a steady share of the intake's CPU.
 */
final class Patterns {

    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

    private Patterns() {
    }

    static Pattern of(String regex) {
        return COMPILED.computeIfAbsent(regex, Pattern::compile);
    }

    /** Whether all of {@code text} matches {@code regex}. */
    static boolean matches(String regex, String text) {
        return of(regex).matcher(text).matches();
    }
}
