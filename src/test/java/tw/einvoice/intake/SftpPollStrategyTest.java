package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
