package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SftpPollStrategyTest {

    @Test
    void anUnknownHostKeyIsExplainedInOneSentence() {
        SftpPollStrategy s = new SftpPollStrategy();
        s.setKnownHostsFile("config/known_hosts");
        s.setServer("erp@sftp.example.com:22");
        String m = s.describe(new RuntimeException("Cannot connect to sftp://erp@sftp.example.com:22",
                new Exception("UnknownHostKey: sftp.example.com. ECDSA key fingerprint is SHA256:abc")));
        assertTrue(m.startsWith("SFTP intake from erp@sftp.example.com:22 refused: the server's host key is not the one in "
                + "known-hosts file 'config/known_hosts'"), m);
        assertTrue(m.contains("ssh-keyscan"), m);
        String auth = s.describe(new RuntimeException("Auth fail for methods 'publickey,password'"));
        assertTrue(auth.contains("login failed") && !auth.contains("password=") , auth);
    }

    @Test
    void openSshsTooManyAuthenticationFailuresIsARefusedLogin() {
        // what JSch throws when OpenSSH ends the connection after its MaxAuthTries
        Exception cause = new RuntimeException("Cannot connect to sftp://erp@127.0.0.1:2222",
                new Exception("SSH_MSG_DISCONNECT: 2 Too many authentication failures "));
        assertEquals(SftpPollStrategy.Problem.LOGIN, SftpPollStrategy.classify(cause));
        SftpPollStrategy s = new SftpPollStrategy();
        s.setServer("erp@127.0.0.1:2222");
        assertTrue(s.describe(cause).contains("refused: login failed"), s.describe(cause));
        assertEquals(SftpPollStrategy.Problem.UNREACHABLE, SftpPollStrategy.classify(
                new RuntimeException("Cannot connect", new java.net.ConnectException("Connection refused"))));
        assertEquals(SftpPollStrategy.Problem.OTHER, SftpPollStrategy.classify(new RuntimeException("2: No such file")));
    }

    /**
     * A progress file rewritten (written aside, renamed into place, as the upload route writes it) while its older copy
     * was being sent stays for the next round; the copy that was sent leaves the folder.
     */
    @Test
    void aCopyReplacedWhileTheOlderOneWasSentStaysForTheNextUpload(@org.junit.jupiter.api.io.TempDir Path folder) throws Exception {
        SftpPollStrategy s = new SftpPollStrategy();
        Path file = folder.resolve("drop.progress.json");
        Files.writeString(file, "{\"complete\":false}");
        String sent = s.version(file.toString());
        Path newer = folder.resolve(".writing-drop.progress.json");
        Files.writeString(newer, "{\"complete\":true}");
        Files.move(newer, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        s.uploaded(file.toString(), sent);
        assertEquals("{\"complete\":true}", Files.readString(file), "the newer copy waits for its own upload");
        s.uploaded(file.toString(), s.version(file.toString()));
        assertTrue(Files.notExists(file), "sent: it leaves the folder");
        try (var left = Files.list(folder)) {
            assertEquals(0, left.count(), "nothing left behind");
        }
    }

    /** README: ssh-keyscan ... >> config/known_hosts - that file is the user's, never a change to commit. */
    @Test
    void theKnownHostsFileTheReadmeWritesIsIgnoredByGit() throws Exception {
        assumeTrue(Files.exists(Path.of(".git")), "not a git checkout");
        Process git;
        try {
            git = new ProcessBuilder("git", "check-ignore", "-q", "config/known_hosts").inheritIO().start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no git");
            return;
        }
        assertTrue(git.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, git.exitValue(), "config/known_hosts is not ignored by git");
    }
}
