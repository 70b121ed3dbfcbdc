package tw.einvoice.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The configuration the main job starts with: {@code config/application.properties}, then
 * {@code config/application-<profile>.properties} over it, then explicit overrides, resolved exactly as Camel will
 * resolve them (including {@code {{env:NAME:default}}}), so the startup checks judge the values the routes will get.
 */
public final class RuntimeConfig implements AutoCloseable {

    public static final String DEFAULT_PROFILE = "sandbox";

    private final String profile;
    private final Path configDir;
    private final Properties overrides;
    private final CamelContext resolver;
    private final boolean ownResolver;

    private RuntimeConfig(String profile, Path configDir, Properties overrides) {
        this.profile = profile;
        this.configDir = configDir;
        this.overrides = overrides;
        this.resolver = new DefaultCamelContext(false); // never started: only its properties component is used
        this.ownResolver = true;
        resolver.getPropertiesComponent().setLocation(String.join(",", locations()));
        resolver.getPropertiesComponent().setOverrideProperties(overrides);
    }

    private RuntimeConfig(String profile, CamelContext context) {
        this.profile = profile;
        this.configDir = null;
        this.overrides = new Properties();
        this.resolver = context;
        this.ownResolver = false;
    }

    /**
     * The configuration a CamelContext already holds, whichever runtime loaded it (Camel Main, Camel JBang, Karaf):
     * the startup checks then judge exactly the values the routes get. The profile is Camel's own
     * ({@code camel.main.profile}, JBang's {@code --profile}), else {@code ecpay.profile}.
     */
    public static RuntimeConfig of(CamelContext context) {
        var properties = context.getPropertiesComponent();
        String profile = properties.resolveProperty("camel.main.profile")
                .or(() -> properties.resolveProperty("ecpay.profile")).orElse(DEFAULT_PROFILE);
        return new RuntimeConfig(profile.strip().toLowerCase(Locale.ROOT), context);
    }

    /** Profile from {@code --profile=NAME}, else ECPAY_PROFILE, else -Decpay.profile, else sandbox. */
    public static RuntimeConfig fromCommandLine(String[] args, Path configDir) {
        String profile = System.getenv().getOrDefault("ECPAY_PROFILE", System.getProperty("ecpay.profile", DEFAULT_PROFILE));
        Properties overrides = new Properties();
        for (String arg : args) {
            if (arg.startsWith("--profile=")) {
                profile = arg.substring("--profile=".length());
            } else if (arg.contains("=") && !arg.startsWith("-")) {
                overrides.setProperty(arg.substring(0, arg.indexOf('=')).strip(), arg.substring(arg.indexOf('=') + 1));
            } else {
                throw new StartupException("unknown argument '" + arg + "': use --profile=NAME and key=value overrides");
            }
        }
        return of(profile, configDir, overrides);
    }

    public static RuntimeConfig of(String profile, Path configDir, Properties overrides) {
        String p = profile == null || profile.isBlank() ? DEFAULT_PROFILE : profile.strip().toLowerCase(Locale.ROOT);
        if (!Files.isReadable(configDir.resolve("application.properties"))) {
            throw new StartupException("configuration not readable: " + configDir.resolve("application.properties").toAbsolutePath()
                    + " (start from the project folder)");
        }
        if (!Files.isReadable(configDir.resolve("application-" + p + ".properties"))) {
            throw new StartupException("unknown profile '" + p + "': " + configDir.resolve("application-" + p + ".properties")
                    + " does not exist (profiles: sandbox, stage, production)");
        }
        return new RuntimeConfig(p, configDir, overrides);
    }

    public String profile() {
        return profile;
    }

    /** Camel's properties component lets the first location that has a key win: the profile goes first. */
    public List<String> locations() {
        if (configDir == null) {
            return List.of(); // over a running context: its runtime found the files
        }
        return List.of("file:" + configDir.resolve("application-" + profile + ".properties"),
                "file:" + configDir.resolve("application.properties"));
    }

    public Properties overrides() {
        return overrides;
    }

    /** The resolved value, empty when the key is absent; a placeholder that cannot resolve is a one-line error. */
    public Optional<String> get(String key) {
        if (overrides.containsKey(key)) {
            return Optional.of(resolve(overrides.getProperty(key), key));
        }
        Optional<String> raw = resolver.getPropertiesComponent().resolveProperty(key);
        return raw.map(v -> resolve(v, key)).map(String::strip);
    }

    public String require(String key, String envHint) {
        String v = get(key).orElse("");
        if (v.isBlank()) {
            throw new StartupException(key + " is not set" + (envHint == null ? "" : ": set the environment variable " + envHint)
                    + " (profile " + profile + ")");
        }
        return v;
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(get(key).orElse("false"));
    }

    public int port(String key, int dflt) {
        String v = get(key).orElse("");
        try {
            return v.isBlank() ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new StartupException(key + " must be a port number, got '" + v + "'");
        }
    }

    /** Every key that starts with prefix, resolved. */
    public Properties withPrefix(String prefix) {
        Properties out = new Properties();
        Properties all = resolver.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix));
        all.stringPropertyNames().forEach(k -> get(k).ifPresent(v -> out.setProperty(k, v)));
        overrides.stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(k -> out.setProperty(k, get(k).orElse("")));
        return out;
    }

    private String resolve(String value, String key) {
        try {
            return resolver.resolvePropertyPlaceholders(value);
        } catch (RuntimeException e) {
            // e.g. {{env:ECPAY_HASH_KEY}} without a default and no such variable
            throw new StartupException(key + " cannot be resolved (profile " + profile + "): " + StartupException.oneLine(e.getMessage()));
        }
    }

    @Override
    public void close() {
        if (!ownResolver) {
            return; // the running context is not ours to close
        }
        try {
            resolver.close();
        } catch (Exception e) {
            // nothing was started
        }
    }
}
