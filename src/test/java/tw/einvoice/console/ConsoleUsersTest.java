package tw.einvoice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** console.users: hashes made by the documented command, roles, refusals, and no plain password accepted. */
class ConsoleUsersTest {

    @Test
    void theDocumentedCommandMakesAHashThatLogsIn() throws Exception {
        Process p = hashCommand("a-long-password-1");
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        assertTrue(hash.startsWith("pbkdf2:210000:"), hash);
        ConsoleUsers users = new ConsoleUsers("mei:operator:" + hash + ", audit:viewer:" + ConsoleUsers.hash("another-password".toCharArray()));
        assertEquals(new ConsoleUsers.User("mei", ConsoleUsers.Role.OPERATOR), users.authenticate("mei", "a-long-password-1".toCharArray()).orElseThrow());
        assertEquals(ConsoleUsers.Role.VIEWER, users.authenticate("audit", "another-password".toCharArray()).orElseThrow().role());
        assertTrue(users.authenticate("mei", "a-long-password-2".toCharArray()).isEmpty());
        assertTrue(users.authenticate("nobody", "a-long-password-1".toCharArray()).isEmpty());
        assertTrue(users.authenticate(null, new char[0]).isEmpty());
    }

    @Test
    void aShortPasswordIsRefused() throws Exception {
        assertEquals(2, hashCommand("short").waitFor());
    }

    /** docs/console.md: java -cp target/classes tw.einvoice.console.ConsoleUsers, the password on stdin. */
    static Process hashCommand(String password) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", "target/classes",
                ConsoleUsers.class.getName()).start();
        p.getOutputStream().write(password.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        return p;
    }

    @Test
    void plainPasswordsUnknownRolesAndBadNamesStopTheStart() {
        for (String spec : List.of("mei:operator:secret", "mei:admin:" + ConsoleUsers.hash("x-long-password".toCharArray()),
                "m ei:viewer:" + ConsoleUsers.hash("x-long-password".toCharArray()), "mei:viewer:pbkdf2:1:!!:??")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConsoleUsers(spec), spec);
            assertTrue(e.getMessage().startsWith("console.users:"), e.getMessage());
            assertTrue(!e.getMessage().contains("secret"), "the refusal does not repeat the value: " + e.getMessage());
        }
        assertTrue(new ConsoleUsers("").isEmpty());
        assertTrue(new ConsoleUsers(null).isEmpty());
    }
}
