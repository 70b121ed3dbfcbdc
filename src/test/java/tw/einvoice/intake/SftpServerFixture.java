package tw.einvoice.intake;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * A real SFTP server (Apache MINA SSHD) on a free local port, for the SFTP intake tests: password and public-key
 * login, a host key of its own, and a switch that drops the connection in the middle of a download.
 */
public final class SftpServerFixture implements AutoCloseable {

    public static final String USER = "erp";
    static final String PASSWORD = "drop-secret";

    public final Path root;
    final KeyPair hostKey;
    final KeyPair clientKey;
    final AtomicInteger downloads = new AtomicInteger();
    /** password logins tried (right or wrong), and connections accepted */
    public final AtomicInteger passwordAttempts = new AtomicInteger();
    public final AtomicInteger sessions = new AtomicInteger();
    private final String password;
    private SshServer sshd;
    private int port;
    private volatile String dropWhileReading;
    private volatile long dropAfterBytes;
    private final AtomicInteger drops = new AtomicInteger();

    SftpServerFixture(Path root) throws Exception {
        this(root, PASSWORD);
    }

    /** A server that accepts user {@link #USER} with the given password (or the client key). */
    public SftpServerFixture(Path root, String password) throws Exception {
        this.root = root.toAbsolutePath();
        Files.createDirectories(this.root.resolve("inbox"));
        this.hostKey = ecKey();
        this.clientKey = ecKey();
        this.password = password;
        sshd = build(0);
        sshd.start();
        port = sshd.getPort();
    }

    private SshServer build(int port) {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(port);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPasswordAuthenticator((user, pw, session) -> {
            passwordAttempts.incrementAndGet();
            return USER.equals(user) && password.equals(pw);
        });
        // as OpenSSH's MaxAuthTries: the 6th failure ends the connection with "Too many authentication failures"
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(sshd, 6);
        sshd.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                sessions.incrementAndGet();
            }
        });
        sshd.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, clientKey.getPublic()));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder().build();
        sftp.setFileSystemAccessor(new DroppingAccessor());
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(this.root));
        return sshd;
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    public int port() {
        return port;
    }

    /** The server goes away (connections to its port are refused) ... */
    public void stopListening() throws IOException {
        sshd.stop(true);
    }

    /** ... and comes back on the same port with the same host key. */
    public void startListening() throws IOException {
        sshd = build(port);
        sshd.start();
    }

    /** The known_hosts line for this server (or, with {@code other}, for a different key under its address). */
    public String knownHostsLine(boolean other) throws Exception {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(other ? ecKey().getPublic() : hostKey.getPublic()) + "\n";
    }

    /** Writes the client's private key in OpenSSH format. */
    void writeClientKey(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "erp", null, out);
        }
    }

    /** The next download of a file whose name contains {@code name} breaks off after {@code bytes} bytes. */
    void dropConnectionOnce(String name, long bytes) {
        dropAfterBytes = bytes;
        dropWhileReading = name;
    }

    int drops() {
        return drops.get();
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    /** Serves files as usual, except the one download chosen to fail: its session is closed mid-file. */
    private final class DroppingAccessor implements SftpFileSystemAccessor {
        @Override
        public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle handle, Path file, String name,
                                            Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
            SeekableByteChannel channel = SftpFileSystemAccessor.super.openFile(subsystem, handle, file, name, options, attrs);
            boolean reading = !options.contains(StandardOpenOption.WRITE) && !options.contains(StandardOpenOption.APPEND);
            String target = dropWhileReading;
            if (reading) {
                downloads.incrementAndGet();
            }
            if (!reading || target == null || !file.getFileName().toString().contains(target)) {
                return channel;
            }
            dropWhileReading = null;
            return new SeekableByteChannel() {
                long served;

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    if (served >= dropAfterBytes) {
                        drops.incrementAndGet();
                        subsystem.getServerSession().close(true);
                        throw new IOException("connection dropped by the test server");
                    }
                    if (dst.remaining() > dropAfterBytes - served) {
                        dst.limit(dst.position() + (int) (dropAfterBytes - served));
                    }
                    int n = channel.read(dst);
                    served += Math.max(0, n);
                    return n;
                }

                @Override
                public int write(ByteBuffer src) throws IOException {
                    return channel.write(src);
                }

                @Override
                public long position() throws IOException {
                    return channel.position();
                }

                @Override
                public SeekableByteChannel position(long p) throws IOException {
                    channel.position(p);
                    return this;
                }

                @Override
                public long size() throws IOException {
                    return channel.size();
                }

                @Override
                public SeekableByteChannel truncate(long size) throws IOException {
                    channel.truncate(size);
                    return this;
                }

                @Override
                public boolean isOpen() {
                    return channel.isOpen();
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            };
        }
    }
}
