package tw.einvoice.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * The local ECPay sandbox as a YAML bean for Camel JBang ({@code tools/jbang/sandbox.camel.yaml}; started by the bean's
 * {@code initMethod}). A port that is taken ends the process as the main job does - one line naming the port and the
 * two properties to change, exit code 2 - instead of the bean failing inside Camel's route loading with an 80-line
 * stack trace.
 */
public final class SandboxBean {

    // Camel JBang reads the YAML beans twice (first when it pre-parses the file), and the first bean is already
    // listening when the second is made: the second call gets the first bean (Camel keeps the first anyway)
    private static final Map<Integer, EcpaySandbox> MADE = new ConcurrentHashMap<>();

    private SandboxBean() {
    }

    public static synchronized EcpaySandbox create(String host, int port, String merchants, String faults) {
        EcpaySandbox made = MADE.get(port);
        if (made != null && port != 0) {
            return made;
        }
        try {
            StartupChecks.portFree("sandbox.port", port, null);
        } catch (StartupException e) {
            System.err.println("ecpay-einvoice: port " + port + " (sandbox.port) is already in use: stop the program holding "
                    + "it, or choose a free port: SANDBOX_PORT=PORT ECPAY_BASE_URL=http://127.0.0.1:PORT camel run ...");
            System.err.flush();
            System.exit(2);
        }
        EcpaySandbox sandbox = EcpaySandbox.embedded(host, port, merchants, faults);
        MADE.put(port, sandbox);
        return sandbox;
    }
}
