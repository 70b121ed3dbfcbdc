package tw.einvoice.protocol;

/**
 * What one ECPay call produced, in the order it is read: a transport failure (no reply at all), the HTTP status,
 * then TransCode and, only when TransCode is 1, RtnCode.
 *
 * @param failure    the exception when no HTTP reply arrived, else null
 * @param httpStatus the HTTP status, 0 when no reply arrived
 */
public record CallResult(Throwable failure, int httpStatus, Integer transCode, String transMsg, Integer rtnCode, String rtnMsg) {

    public static CallResult failed(Throwable failure) {
        return new CallResult(failure, 0, null, null, null, null);
    }
}
