package tw.einvoice.protocol;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ECPay's Data cipher: {@code Base64(AES-128-CBC(PKCS7(urlencode(json))))} with HashKey as key and HashIV as IV.
 * Thread-safe; holds the key material and never prints it.
 */
public final class EcpayCipher {

    private static final String TRANSFORMATION = "AES/CBC/PKCS5Padding";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final SecretKeySpec key;
    private final IvParameterSpec iv;

    public EcpayCipher(String hashKey, String hashIv) {
        this.key = new SecretKeySpec(keyBytes(hashKey, "HashKey"), "AES");
        this.iv = new IvParameterSpec(keyBytes(hashIv, "HashIV"));
    }

    public EcpayCipher(Credentials credentials) {
        this(credentials.hashKey(), credentials.hashIv());
    }

    private static byte[] keyBytes(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != 16 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            // the length is safe to report; the value is not
            throw new IllegalArgumentException(name + " must be 16 ASCII characters, got " + value.length());
        }
        return bytes;
    }

    /** Encrypts a JSON text into the Base64 string ECPay expects in {@code Data}. */
    public String encrypt(String json) {
        byte[] plain = urlEncode(json).getBytes(StandardCharsets.US_ASCII);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, iv);
            return Base64.getEncoder().encodeToString(cipher.doFinal(plain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-CBC is not available in this JVM", e);
        }
    }

    /** Decrypts a {@code Data} value back to its JSON text; every failure is a specific {@link EcpayCipherException}. */
    public String decrypt(String data) {
        if (data == null || data.isBlank()) {
            throw new EcpayCipherException(EcpayCipherException.Reason.EMPTY, "Data is empty");
        }
        byte[] encrypted;
        try {
            // strict alphabet (the MIME decoder would silently skip stray characters); line breaks are tolerated
            encrypted = Base64.getDecoder().decode(WHITESPACE.matcher(data).replaceAll(""));
        } catch (IllegalArgumentException e) {
            throw new EcpayCipherException(EcpayCipherException.Reason.NOT_BASE64,
                    "Data is not valid Base64: " + e.getMessage());
        }
        if (encrypted.length == 0 || encrypted.length % 16 != 0) {
            throw new EcpayCipherException(EcpayCipherException.Reason.BAD_LENGTH,
                    "Data is " + encrypted.length + " bytes, not a whole number of 16-byte AES blocks");
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, iv);
            plain = cipher.doFinal(encrypted);
        } catch (BadPaddingException | IllegalBlockSizeException e) {
            throw new EcpayCipherException(EcpayCipherException.Reason.BAD_PADDING,
                    "Data did not decrypt (bad padding): wrong HashKey/HashIV or corrupted Data");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-CBC is not available in this JVM", e);
        }
        // URL-encoded text is printable ASCII; anything else means the padding matched by chance under a wrong key
        for (byte b : plain) {
            if (b < 0x20 || b > 0x7e) {
                throw new EcpayCipherException(EcpayCipherException.Reason.NOT_URL_ENCODED,
                        "Data decrypted to bytes that are not URL-encoded text: wrong HashKey/HashIV");
            }
        }
        try {
            return urlDecode(new String(plain, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new EcpayCipherException(EcpayCipherException.Reason.NOT_URL_ENCODED,
                    "Data decrypted to malformed URL encoding: " + e.getMessage());
        }
    }

    /**
     * PHP {@code urlencode}: everything but {@code [A-Za-z0-9._-]} is percent-encoded with upper-case hex, space becomes
     * {@code +}. Java's encoder differs only in leaving {@code *} alone. This form reproduces ECPay's published ciphertexts.
     */
    public static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("*", "%2A");
    }

    /**
     * Form-style decode: {@code +} is a space and hex may be either case, as in ECPay's .NET-encoded replies.
     * Strict where {@link java.net.URLDecoder} is not: bytes that are not UTF-8 are an error, never U+FFFD.
     *
     * @throws IllegalArgumentException on a {@code %} without two hex digits or on bytes that are not UTF-8
     */
    public static String urlDecode(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(text.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new IllegalArgumentException("'%' at position " + i + " is not followed by two hex digits");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the percent-encoded bytes are not UTF-8 text");
        }
    }

    @Override
    public String toString() {
        return "EcpayCipher[AES-128-CBC, key hidden]";
    }
}
