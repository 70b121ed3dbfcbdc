package tw.einvoice.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.protocol.SafeText;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.CommandRow;

/**
 * Outcome channel delivery, at least once. The channel message of a final command is always built from its journal
 * row ({@link #publish}), by the dispatcher right after the outcome is recorded and again by the re-publish route
 * ({@code routes/dispatch.camel.yaml}, bean {@code channelOutbox}) for final rows whose delivery is still missing
 * after the grace period: the channel failed, or the instance stopped between the journal update and the send.
 * A row is marked delivered only once the channel endpoint accepted its message, so a message may arrive twice
 * (a re-publish racing a slow first delivery, or a crash right after the send): consumers de-duplicate by its id
 * (header {@value EcpayHeaders#COMMAND_ID}, field {@code id}).
 */
public class ChannelOutbox {


    private static final Logger LOG = LoggerFactory.getLogger(ChannelOutbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Journal journal;
    private int batchSize = 100;
    private Duration redeliverAfter = Duration.ofMinutes(1);
    private final AtomicBoolean failedSinceClaim = new AtomicBoolean();

    public ChannelOutbox(Journal journal) {
        this.journal = journal;
    }

    /**
     * Makes {@code message} the channel message of final command {@code row}: the JSON body, {@code CamelFileName}
     * and the {@code Ecpay*} headers; every other header is removed, so a first delivery and a re-publish are alike.
     */
    public static void publish(Message message, CommandRow row) {
        message.removeHeaders("*");
        message.setHeader(EcpayHeaders.STATE, row.state().name());
        message.setHeader(EcpayHeaders.COMMAND_ID, row.id());
        message.setHeader(EcpayHeaders.MERCHANT_ID, row.merchantId());
        message.setHeader(EcpayHeaders.OUTCOME, row.outcome());
        message.setHeader(EcpayHeaders.REASON, row.reason());
        message.setHeader(EcpayHeaders.RTN_CODE, row.rtnCode());
        message.setHeader(EcpayHeaders.RTN_MSG, row.rtnMsg());
        message.setHeader(Exchange.FILE_NAME, Dispatcher.fileName(row.id()));
        message.setBody(body(row));
    }

    static String body(CommandRow row) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", row.id());
        m.put("operation", row.operation());
        m.put("merchantId", row.merchantId());
        m.put("state", row.state().name());
        m.put("outcome", row.outcome());
        m.put("reason", row.reason());
        m.put("evidence", row.evidence());
        m.put("attempts", row.attempts());
        m.put("httpStatus", row.httpStatus());
        m.put("transCode", row.transCode());
        m.put("rtnCode", row.rtnCode());
        m.put("rtnMsg", row.rtnMsg());
        m.set("reply", row.reply() == null ? null : Dispatcher.parse(row.reply()));
        m.set("data", Dispatcher.parse(row.payload()));
        if (row.source() != null && row.source().kind() != null) {
            ObjectNode s = m.putObject("source");
            s.put("kind", row.source().kind());
            s.put("name", row.source().name());
            s.put("ref", row.source().ref());
        }
        m.put("completedAt", row.updatedAt().toInstant(ZoneOffset.UTC).toString());
        return Envelope.toJson(m);
    }

    /** Claims final commands whose delivery is missing for longer than the grace period (body: their rows). */
    public List<CommandRow> claim(Exchange exchange) {
        failedSinceClaim.set(false);
        if (!exchange.getContext().getStatus().isStarted()) {
            exchange.getMessage().setHeader(EcpayHeaders.BATCH_FULL, false);
            return List.of();
        }
        List<CommandRow> rows = journal.claimUndelivered(batchSize, redeliverAfter);
        if (!rows.isEmpty()) {
            LOG.info("publishing {} outcome(s) again whose channel delivery is missing for over {}", rows.size(), redeliverAfter);
        }
        exchange.getMessage().setHeader(EcpayHeaders.BATCH_FULL, rows.size() >= batchSize);
        return rows;
    }

    /**
     * Loop condition: true before the first claim of a poll, then while the last batch was full and every delivery in
     * it went through (a failing channel is not hammered: the rest waits for the next poll).
     */
    public boolean more(Exchange exchange) {
        Boolean full = exchange.getMessage().getHeader(EcpayHeaders.BATCH_FULL, Boolean.class);
        return full == null || (full && !failedSinceClaim.get());
    }

    /** Body: a claimed {@link CommandRow}; becomes its channel message. */
    public void prepare(Exchange exchange) {
        publish(exchange.getMessage(), exchange.getMessage().getBody(CommandRow.class));
    }

    /** The channel endpoint accepted the message: the row is delivered and never published again. */
    public void delivered(Exchange exchange) {
        journal.markDelivered(exchange.getMessage().getHeader(EcpayHeaders.COMMAND_ID, String.class));
    }

    /**
     * The channel endpoint failed (or the delivery could not be recorded): logged; the row stays undelivered and is
     * published again after the grace period.
     */
    public void failed(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.setException(null);
        failedSinceClaim.set(true);
        LOG.warn("the {} outcome of {} was not delivered to its channel, or its delivery not recorded ({}); it is published again after {}",
                exchange.getMessage().getHeader(EcpayHeaders.STATE), SafeText.log(exchange.getMessage().getHeader(EcpayHeaders.COMMAND_ID)),
                SafeText.log(error == null ? "unknown error" : error.getClass().getSimpleName() + ": " + error.getMessage()), redeliverAfter);
    }


    public void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("ecpay.channel.redeliver-batch must be at least 1, not " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** How long a final command may stay undelivered before it is published again (ISO-8601 or 30s, 5m, 500ms). */
    public void setRedeliverAfter(String redeliverAfter) {
        Duration d = Dispatcher.duration(redeliverAfter);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("ecpay.channel.redeliver-after must be above zero, not " + redeliverAfter);
        }
        this.redeliverAfter = d;
    }

    public Duration getRedeliverAfter() {
        return redeliverAfter;
    }
}
