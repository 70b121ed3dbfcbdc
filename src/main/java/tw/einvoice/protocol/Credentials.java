package tw.einvoice.protocol;

/**
 * One merchant's ECPay credentials. {@link #toString()} hides HashKey and HashIV so that a logged or thrown
 * instance never leaks them.
 */
public record Credentials(String merchantId, String hashKey, String hashIv, String platformId) {

    /** ECPay's public stage merchant, shared by everyone; the only credentials that may ship as defaults. */
    public static final Credentials PUBLIC_STAGE = new Credentials("2000132", "ejCk326UnaZWKisg", "q9jcZX8Ib9LM8wYk", "");

    public Credentials {
        if (merchantId == null || merchantId.isBlank()) {
            throw new IllegalArgumentException("MerchantID is not set");
        }
        merchantId = merchantId.strip();
        platformId = platformId == null ? "" : platformId.strip();
    }

    public boolean isPublicStage() {
        return PUBLIC_STAGE.hashKey.equals(hashKey) || PUBLIC_STAGE.hashIv.equals(hashIv);
    }

    @Override
    public String toString() {
        return "Credentials[merchantId=" + merchantId + ", platformId=" + platformId + ", hashKey=****, hashIv=****]";
    }
}
