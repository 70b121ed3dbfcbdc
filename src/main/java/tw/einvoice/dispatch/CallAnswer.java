package tw.einvoice.dispatch;

import java.time.Duration;
import org.apache.camel.Message;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.protocol.Verdict;

/**
 * What one attempt came to, as the dispatcher records it: the verdict and reason, when to try again, whether the
 * merchant must pause, and ECPay's codes and reply when there was one.
 */
record CallAnswer(Verdict verdict, String reason, Duration retryAfter, boolean pauseMerchant, Integer httpStatus,
                  Integer transCode, Integer rtnCode, String rtnMsg, String reply) {

    /** From the headers and body {@code direct:ecpay-call} leaves on the message. */
    static CallAnswer of(Message in) {
        return new CallAnswer(Verdict.valueOf(in.getHeader(EcpayHeaders.OUTCOME, String.class)),
                in.getHeader(EcpayHeaders.REASON, "", String.class),
                Duration.ofSeconds(in.getHeader(EcpayHeaders.RETRY_AFTER, 0L, Long.class)),
                Boolean.TRUE.equals(in.getHeader(EcpayHeaders.PAUSE_MERCHANT, Boolean.class)),
                in.getHeader(EcpayHeaders.HTTP_STATUS, Integer.class), in.getHeader(EcpayHeaders.TRANS_CODE, Integer.class),
                in.getHeader(EcpayHeaders.RTN_CODE, Integer.class), in.getHeader(EcpayHeaders.RTN_MSG, String.class),
                in.getBody(String.class));
    }

    /** No answer from ECPay: the attempt failed before or while calling. */
    static CallAnswer failure(Verdict verdict, String reason) {
        return new CallAnswer(verdict, reason, Duration.ZERO, false, null, null, null, null, null);
    }
}
