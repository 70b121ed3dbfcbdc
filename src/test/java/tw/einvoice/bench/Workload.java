package tw.einvoice.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one command the benchmark sends: a B2CInvoice/Issue of one item, the same in the bare loop and in the drops. */
final class Workload {

    private Workload() {
    }

    static String issueData(String relateNumber) {
        return "{\"RelateNumber\":\"" + relateNumber + "\",\"CustomerEmail\":\"b@example.com\",\"Print\":\"0\",\"Donation\":\"0\","
                + "\"TaxType\":\"1\",\"SalesAmount\":50,\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\","
                + "\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":50,\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}";
    }

    /**
     * Drops {@code n} Issue commands (RelateNumbers {@code tag0..tag(n-1)}) as {@code inbox/tag.jsonl}, announced by a
     * done file written after it, so intake takes it at its next poll. Returns the drop's name.
     */
    static String drop(Path inbox, String tag, int n) throws IOException {
        Files.createDirectories(inbox);
        String name = tag + ".jsonl";
        Path part = inbox.resolve(name + ".part");
        try (Writer w = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write("{\"operation\":\"B2CInvoice/Issue\",\"data\":");
                w.write(issueData(tag + i));
                w.write("}\n");
            }
        }
        Files.move(part, inbox.resolve(name));
        Files.createFile(inbox.resolve(name + ".done"));
        return name;
    }
}
