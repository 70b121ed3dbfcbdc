package tw.einvoice.camel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import tw.einvoice.journal.CallbackRow;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.CheckMacValue;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.EcpayCallback;

/**
 * The check behind {@code direct:ecpay-callback} (routes/callbacks.camel.yaml): reads the form ECPay posted, verifies
 * its CheckMacValue (MD5) with the keys of the merchant it names, or of each configured merchant when it names none,
 * records it in the journal and sets {@link EcpayHeaders#CALLBACK_VERIFIED} / {@link EcpayHeaders#CALLBACK_REFUSAL}
 * for the route to answer. A form that is not one at all is refused unrecorded; a forged, unsigned or foreign one is
 * recorded unverified and never attached to a command.
 */
public class CallbackReceiver {

    static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";

    private Journal journal;
    private EcpayClient ecpayClient;
    private volatile Set<String> merchants;

    public void receive(Exchange exchange) {
        Message in = exchange.getMessage();
        String remote = remote(in);
        in.setHeader(EcpayHeaders.CALLBACK_REMOTE, remote);
        in.setHeader(EcpayHeaders.CALLBACK_VERIFIED, false);
        // the path's last part, not the {kind} header: a form field of that name would be added to it
        String path = in.getHeader(Exchange.HTTP_PATH, "", String.class);
        EcpayCallback.Kind kind = EcpayCallback.Kind.ofPath(path.substring(path.lastIndexOf('/') + 1));
        if (kind == null) {
            in.setHeader(EcpayHeaders.CALLBACK_REFUSAL, "no such callback path");
            return;
        }
        in.setHeader(EcpayHeaders.CALLBACK_KIND, kind.label());
        EcpayCallback callback;
        try {
            // platform-http hands a URL-encoded form over decoded, as a map (populateBodyWithForm)
            callback = in.getBody() instanceof java.util.Map<?, ?> form ? EcpayCallback.of(kind, form)
                    : EcpayCallback.parse(kind, in.getBody(String.class));
        } catch (EcpayCallback.MalformedCallbackException e) {
            in.setHeader(EcpayHeaders.CALLBACK_REFUSAL, "malformed form: " + e.getMessage());
            return;
        }
        String named = callback.merchantId();
        String refusal = null;
        String merchant = named;
        if (named != null && !merchants().contains(named)) {
            refusal = "unknown merchant " + (named.matches("\\d{1,10}") ? named : "(not a MerchantID)");
            merchant = null;
        } else if (!callback.hasCheckMacValue()) {
            refusal = "CheckMacValue missing";
        } else {
            merchant = verifiedBy(callback, named);
            if (merchant == null) {
                refusal = named == null ? "CheckMacValue matches no configured merchant's keys"
                        : "CheckMacValue does not match merchant " + named + "'s keys";
                merchant = named;
            }
        }
        CallbackRow row = journal.recordCallback(callback, merchant, refusal == null, refusal, remote);
        in.setHeader(EcpayHeaders.CALLBACK_VERIFIED, refusal == null);
        in.setHeader(EcpayHeaders.CALLBACK_REFUSAL, refusal);
        in.setHeader(EcpayHeaders.MERCHANT_ID, merchant);
        in.setHeader(EcpayHeaders.COMMAND_ID, row.commandId());
    }

    /** The merchant whose keys give the form's CheckMacValue: the one it names, else the first configured that does. */
    private String verifiedBy(EcpayCallback callback, String named) {
        List<String> candidates = named != null ? List.of(named) : new ArrayList<>(merchants());
        for (String id : candidates) {
            Credentials creds = ecpayClient.credentialsFor(id);
            if (CheckMacValue.invoice(creds).verify(callback.fields())) {
                return id;
            }
        }
        return null;
    }

    private Set<String> merchants() {
        Set<String> m = merchants;
        if (m == null) {
            m = ecpayClient.merchants();
            merchants = m;
        }
        return m;
    }

    /** The socket peer; behind a reverse proxy that is the proxy, so the X-Forwarded-For it added is kept beside it. */
    private static String remote(Message in) {
        Object peer = in.getHeader(REMOTE_ADDRESS);
        String forwarded = in.getHeader("X-Forwarded-For", String.class);
        String text = peer == null ? "unknown" : String.valueOf(peer);
        if (forwarded != null && !forwarded.isBlank()) {
            text += " (X-Forwarded-For " + forwarded.strip() + ")";
        }
        return text.length() > 100 ? text.substring(0, 100) : text;
    }

    public void setJournal(Journal journal) {
        this.journal = journal;
    }

    public void setEcpayClient(EcpayClient ecpayClient) {
        this.ecpayClient = ecpayClient;
    }

}
