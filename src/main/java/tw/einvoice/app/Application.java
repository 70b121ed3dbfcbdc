package tw.einvoice.app;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * The main job: Camel Main with the YAML routes from {@code routes/}, {@code config/application.properties} and the
 * profile's {@code config/application-<profile>.properties} (sandbox by default; stage; production), the local
 * ECPay sandbox in-process when {@code sandbox.enabled=true}.
 * <p>
 * Run from the project folder: {@code mvn -B -q compile exec:java} or {@code ./run.sh [--profile=NAME] [key=value ...]}.
 * A configuration mistake ends the process with one line on stderr and exit code 2.
 */
public final class Application implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private final RuntimeConfig config;
    private final Main main;
    private final EcpaySandbox sandbox;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Application(RuntimeConfig config, Main main, EcpaySandbox sandbox) {
        this.config = config;
        this.main = main;
        this.sandbox = sandbox;
    }

    public static void main(String[] args) {
        int exit = 0;
        try (Application app = start(RuntimeConfig.fromCommandLine(args, Path.of("config")))) {
            Runtime.getRuntime().addShutdownHook(new Thread(app::close, "ecpay-einvoice-shutdown"));
            app.awaitStop();
        } catch (StartupException e) {
            System.err.println("ecpay-einvoice: " + e.getMessage());
            exit = 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            // not a configuration mistake we foresaw: still one line, and an exit that does not wait for server threads
            System.err.println("ecpay-einvoice: " + StartupException.explain(e).getMessage());
            exit = 1;
        }
        System.exit(exit);
    }

    /** Checks the configuration, starts the sandbox (when enabled) and Camel; returns once the routes run. */
    public static Application start(RuntimeConfig config) {
        new StartupChecks(config).runAll();
        Properties overrides = new Properties();
        overrides.putAll(config.overrides());
        EcpaySandbox sandbox = null;
        if (config.flag("sandbox.enabled")) {
            sandbox = startSandbox(config);
            // the routes call the sandbox this process runs, wherever it listens
            overrides.setProperty("ecpay.base-url", sandbox.baseUrl());
        }
        // camel.main.routes-include-pattern, when given, wins (as it would for Camel Main itself)
        String routeFiles = config.get("camel.main.routes-include-pattern")
                .or(() -> config.get("ecpay.route-files")).orElse("file:routes/*.camel.yaml,file:routes/*.java");
        overrides.setProperty("camel.main.routes-include-pattern", RouteFiles.inLoadOrder(routeFiles));
        Main main = null;
        try {
            main = new Main();
            main.setPropertyPlaceholderLocations(String.join(",", config.locations()));
            main.setOverrideProperties(overrides);
            if (!config.flag("management.camel-cli")) {
                // Camel finds camel-cli-connector on the classpath and starts it unless told otherwise; it rebuilds its
                // status for `camel get` every second, a steady CPU cost Camel itself calls a development tool's
                main.bind("cliConnectorFactory", disabledCliConnector());
            }
            main.start();
            if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
                throw new StartupException("Camel did not start; see the log above");
            }
        } catch (Exception | LinkageError e) {
            if (main != null) {
                stopQuietly(main);
            }
            if (sandbox != null) {
                sandbox.close();
            }
            throw StartupException.explain(e);
        }
        LOG.info("ecpay-einvoice started: profile {}, {} routes, ECPay at {}", config.profile(),
                main.getCamelContext().getRoutes().size(), main.getCamelContext().resolvePropertyPlaceholders("{{ecpay.base-url}}"));
        return new Application(config, main, sandbox);
    }

    private static EcpaySandbox startSandbox(RuntimeConfig config) {
        Properties settings = config.withPrefix("sandbox.");
        settings.putIfAbsent("sandbox.port", "9580");
        try {
            return EcpaySandbox.fromProperties(settings).start();
        } catch (RuntimeException e) {
            throw StartupException.explain(e);
        }
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public String profile() {
        return config.profile();
    }

    /** The in-process sandbox, or null when sandbox.enabled is false. */
    public EcpaySandbox sandbox() {
        return sandbox;
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopQuietly(main);
        if (sandbox != null) {
            sandbox.close();
        }
        config.close();
        stopped.countDown();
    }

    private static org.apache.camel.spi.CliConnectorFactory disabledCliConnector() {
        org.apache.camel.cli.connector.DefaultCliConnectorFactory off = new org.apache.camel.cli.connector.DefaultCliConnectorFactory();
        off.setEnabled(false);
        return off;
    }

    private static void stopQuietly(Main main) {
        try {
            main.stop();
        } catch (Exception e) {
            LOG.warn("stopping Camel: {}", e.getMessage());
        }
    }
}
