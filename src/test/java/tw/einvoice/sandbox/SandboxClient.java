package tw.einvoice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.EcpayCipher;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.protocol.OperationCatalog;

/** A plain-JDK ECPay client for the sandbox's own tests: builds real envelopes, decrypts real replies. */
final class SandboxClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private Credentials credentials = Credentials.PUBLIC_STAGE;
    private Clock clock = Clock.systemUTC();
    private Duration timeout = Duration.ofSeconds(10);

    SandboxClient(String baseUrl) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    SandboxClient as(Credentials c) {
        this.credentials = c;
        return this;
    }

    SandboxClient clock(Clock c) {
        this.clock = c;
        return this;
    }

    SandboxClient timeout(Duration d) {
        this.timeout = d;
        return this;
    }

    /** One call's result: HTTP status, the outer envelope, and the decrypted Data (null when there was none). */
    record Result(int status, JsonNode envelope, ObjectNode data, String rawBody) {
        int transCode() {
            return envelope.path("TransCode").asInt();
        }

        int rtnCode() {
            return data.path("RtnCode").asInt();
        }

        String rtnMsg() {
            return data.path("RtnMsg").asText();
        }

        String get(String field) {
            return data.path(field).asText();
        }
    }

    Result call(String operation, String dataJson) throws IOException, InterruptedException {
        ObjectNode data = (ObjectNode) JSON.readTree(dataJson);
        if (!data.has("MerchantID")) {
            data.put("MerchantID", credentials.merchantId());
        }
        String body = new Envelope(clock).request(credentials, OperationCatalog.standard().get(operation), data);
        return post("/" + operation, body);
    }

    Result post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode env = null;
        ObjectNode data = null;
        try {
            env = JSON.readTree(r.body());
        } catch (IOException notJson) {
            // plain-text error pages
        }
        if (env != null && env.path("TransCode").asInt() == 1 && env.path("Data").isTextual()) {
            data = (ObjectNode) JSON.readTree(new EcpayCipher(credentials).decrypt(env.get("Data").asText()));
        } else if (env != null && env.path("TransCode").asInt() == 1 && env.path("Data").isObject()) {
            data = (ObjectNode) env.get("Data"); // GetIssueList: plain Data
        }
        return new Result(r.statusCode(), env, data, r.body());
    }

    HttpResponse<String> raw(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    static String issueData(String relateNumber) {
        return """
            {"RelateNumber":"%s","CustomerEmail":"buyer@example.com","Print":"0","Donation":"0","TaxType":"1",
             "SalesAmount":100,"InvType":"07","vat":"1","InvoiceRemark":"a b+c",
             "Items":[{"ItemSeq":1,"ItemName":"茶 葉","ItemCount":1,"ItemWord":"包","ItemPrice":100,"ItemTaxType":"1","ItemAmount":100}]}
            """.formatted(relateNumber);
    }

    static String delayData(String relateNumber, String tsr, int flag, int days) {
        ObjectNode d;
        try {
            d = (ObjectNode) JSON.readTree(issueData(relateNumber));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        d.put("DelayFlag", Integer.toString(flag));
        d.put("DelayDay", days);
        d.put("Tsr", tsr);
        d.put("PayType", "2");
        d.put("PayAct", "ECPAY");
        return d.toString();
    }
}
