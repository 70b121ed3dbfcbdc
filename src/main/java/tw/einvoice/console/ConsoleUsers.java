package tw.einvoice.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The console's users, from {@code console.users}: {@code name:role:hash} entries separated by commas, role
 * {@code viewer} (reads) or {@code operator} (reads and acts), hash as printed by {@link #main} (PBKDF2-HMAC-SHA256,
 * {@code pbkdf2:<iterations>:<salt>:<key>}, Base64). Plain passwords are never accepted in the configuration.
 */
public final class ConsoleUsers {

    public enum Role { VIEWER, OPERATOR }

    public record User(String name, Role role) {
    }

    private record Entry(User user, int iterations, byte[] salt, byte[] key) {
    }

    static final int ITERATIONS = 210_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    // checked when a name is unknown, so that a wrong name costs as long as a wrong password
    private static final Entry DUMMY = parseEntry("nobody:viewer:" + hash("not-a-password".toCharArray()));

    private final Map<String, Entry> users = new LinkedHashMap<>();

    public ConsoleUsers(String spec) {
        if (spec == null || spec.isBlank()) {
            return;
        }
        for (String raw : spec.split(",")) {
            if (!raw.isBlank()) {
                Entry e = parseEntry(raw.strip());
                users.put(e.user().name(), e);
            }
        }
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    public int size() {
        return users.size();
    }

    /** The user when name and password match, else empty; as slow for an unknown name as for a wrong password. */
    public Optional<User> authenticate(String name, char[] password) {
        Entry e = name == null ? null : users.get(name);
        Entry checked = e == null ? DUMMY : e;
        boolean match = MessageDigest.isEqual(checked.key(), derive(password, checked.salt(), checked.iterations(), checked.key().length));
        return match && e != null ? Optional.of(e.user()) : Optional.empty();
    }

    private static Entry parseEntry(String raw) {
        String[] p = raw.split(":");
        if (p.length != 6 || !"pbkdf2".equals(p[2])) {
            throw new IllegalArgumentException("console.users: an entry must be name:role:pbkdf2:<iterations>:<salt>:<key> "
                    + "(make the hash with: java -cp <classpath> tw.einvoice.console.ConsoleUsers); got an entry for '"
                    + (p.length > 0 ? p[0] : "") + "'");
        }
        if (!p[0].matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new IllegalArgumentException("console.users: user name '" + p[0] + "' may hold only letters, digits and . _ @ -");
        }
        Role role;
        try {
            role = Role.valueOf(p[1].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("console.users: role of '" + p[0] + "' must be viewer or operator, not '" + p[1] + "'");
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            return new Entry(new User(p[0], role), Integer.parseInt(p[3]), b64.decode(p[4]), b64.decode(p[5]));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("console.users: the hash of '" + p[0] + "' is not readable: " + ex.getMessage());
        }
    }

    /** A hash for console.users: {@code pbkdf2:<iterations>:<salt>:<key>}. */
    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "pbkdf2:" + ITERATIONS + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(derive(password, salt, ITERATIONS, 32));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int length) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, length * 8);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }

    /** Prints a hash for console.users; the password is read from the terminal (or stdin), never from the command line. */
    public static void main(String[] args) throws Exception {
        char[] password;
        if (System.console() != null) {
            password = System.console().readPassword("console password: ");
        } else {
            password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip().toCharArray();
        }
        if (password.length < 12) {
            System.err.println("a console password needs at least 12 characters");
            System.exit(2);
        }
        System.out.println(hash(password));
    }
}
