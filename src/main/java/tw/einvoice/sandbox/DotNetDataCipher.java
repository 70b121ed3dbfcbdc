package tw.einvoice.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import tw.einvoice.protocol.Credentials;

/**
 * Encrypts reply Data the way ECPay's live (.NET) server does: {@code HttpUtility.UrlEncode} — lower-case hex,
 * {@code +} for a space, {@code -_.!*()} left as they are — then AES-128-CBC/PKCS7 and Base64. Clients must decode
 * this leniently; the sandbox sends it so that their decoders are tested for real.
 */
final class DotNetDataCipher {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private DotNetDataCipher() {
    }

    /** .NET {@code HttpUtility.UrlEncode} over UTF-8. */
    static String urlEncode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '!' || c == '*' || c == '(' || c == ')') {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    static String encrypt(String json, Credentials credentials) {
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(credentials.hashKey().getBytes(StandardCharsets.US_ASCII), "AES"),
                    new IvParameterSpec(credentials.hashIv().getBytes(StandardCharsets.US_ASCII)));
            return Base64.getEncoder().encodeToString(cipher.doFinal(urlEncode(json).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-CBC is not available in this JVM", e);
        }
    }
}
