package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;

/** The example drops parse line by line as documented: good lines become commands, bad ones name line and field. */
class LineParserTest {

    @TempDir
    Path tmp;

    /** line number -> command id, or "!field" for a rejected line. */
    private static Map<Long, String> outcomes(Path file, Charset cs) {
        Map<Long, String> out = new LinkedHashMap<>();
        try (DropReader reader = DropReader.open(file, cs)) {
            LineParser parser = DropFormat.of(file.getFileName().toString()) == DropFormat.CSV
                    ? LineParser.csv(reader.next(), OperationCatalog.standard(), "2000132")
                    : LineParser.jsonLines(OperationCatalog.standard(), "2000132");
            while (reader.hasNext()) {
                DropLine line = reader.next();
                try {
                    Command c = parser.parse(line);
                    out.put(line.number(), c.id());
                } catch (InvalidLineException e) {
                    out.put(line.number(), "!" + e.field());
                }
            }
        }
        return out;
    }

    static final List<String> BAD_FIELDS_JSONL = List.of("!InvoiceStatus", "!Tsr", "!Tsr", "!InvoiceDate", "!Remark",
            "!operation", "!(line)");

    @Test
    void jsonLinesExampleGivesSixCommandsAndSevenRejects() {
        Map<Long, String> out = outcomes(Paths.get("examples/seed-operations.jsonl"), StandardCharsets.UTF_8);
        assertEquals(13, out.size());
        assertEquals(List.of("ex-word-0001", "ex-cancel-0001", "ex-trigger-0001", "ex-getinvalid-0001", "ex-confirm-0001",
                "B2CInvoice/Issue:2000132:EXREL20261122000002"), new ArrayList<>(out.values()).subList(0, 6));
        assertEquals(BAD_FIELDS_JSONL, new ArrayList<>(out.values()).subList(6, 13));
    }

    @Test
    void csvExampleGivesSixCommandsAndSevenRejectsWithPhysicalLineNumbers() {
        Map<Long, String> out = outcomes(Paths.get("examples/seed-operations.csv"), StandardCharsets.UTF_8);
        assertEquals(13, out.size());
        assertEquals("cx-word-0001", out.get(2L));
        assertEquals("B2CInvoice/Issue:2000132:CXREL20261122000002", out.get(7L));
        assertEquals(List.of("!InvoiceStatus", "!Tsr", "!Tsr", "!InvoiceDate", "!Remark", "!Items", "!(line)"),
                new ArrayList<>(out.values()).subList(6, 13));
    }

    @Test
    void big5AndBomFilesDecode() throws IOException {
        // 碁 (as in 宏碁) and 裏 exist only in Microsoft's code page 950, which Taiwanese ERPs write as "Big5"
        String csv = "id,operation,InvoiceNumber,InvoiceDate,Remark\nb5-1,B2BInvoice/IssueConfirm,CD12345678,2026-11-20,宏碁已確認發票裏\n";
        Path big5 = tmp.resolve("x.big5.csv");
        Files.write(big5, csv.getBytes("x-windows-950"));
        Charset charset = DropFormat.charsetOf("x.big5.csv", StandardCharsets.UTF_8);
        assertEquals(DropFormat.charset("BIG5"), charset);
        try (DropReader r = DropReader.open(big5, charset)) {
            LineParser p = LineParser.csv(r.next(), OperationCatalog.standard(), "2000132");
            assertEquals("宏碁已確認發票裏", p.parse(r.next()).data().get("Remark").asText());
        }
        Path bom = tmp.resolve("x.jsonl");
        Files.write(bom, ("\uFEFF{\"id\":\"a\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T1\"}}\r\n\r\n"
                + "{\"id\":\"b\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T2\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of(1L, "a", 3L, "b"), outcomes(bom, StandardCharsets.UTF_8));
    }

    @Test
    void aBadlyEncodedLineIsRejectedAloneAndBinaryFilesAreUnreadable() throws IOException {
        Path f = tmp.resolve("y.jsonl");
        byte[] good = "{\"id\":\"a\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T1\"}}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'};
        byte[] all = new byte[9000 + bad.length + good.length];
        // push the bad line past the 8 KB sniff so the file as a whole is readable
        int pos = 0;
        while (pos + good.length <= 9000) {
            System.arraycopy(good, 0, all, pos, good.length);
            pos += good.length;
        }
        System.arraycopy(bad, 0, all, pos, bad.length);
        pos += bad.length;
        System.arraycopy(good, 0, all, pos, good.length);
        pos += good.length;
        Files.write(f, java.util.Arrays.copyOf(all, pos));
        try (DropReader r = DropReader.open(f, StandardCharsets.UTF_8)) {
            DropLine last = null;
            DropLine badLine = null;
            while (r.hasNext()) {
                last = r.next();
                if (last.text() == null) {
                    badLine = last;
                }
            }
            assertTrue(badLine != null && badLine.problem().contains("UTF-8"));
            assertEquals(badLine.number() + 1, last.number());
            assertNull(badLine.text());
        }
        Path bin = tmp.resolve("z.csv");
        Files.write(bin, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        assertThrows(UnreadableFileException.class, () -> DropReader.open(bin, StandardCharsets.UTF_8));
    }

    /** Invalid UTF-8 on line 2 of 3: the line is rejected alone, wherever it is; a file of Big5 lines is not UTF-8 at all. */
    @Test
    void aBadlyEncodedLineInASmallFileIsRejectedAloneButAWrongCharsetFailsTheFile() throws IOException {
        Path f = tmp.resolve("small.jsonl");
        Files.write(f, concat("{\"id\":\"a\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T1\"}}\n",
                new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'},
                "{\"id\":\"b\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T2\"}}\n"));
        assertEquals(Map.of(1L, "a", 2L, "!(line)", 3L, "b"), outcomes(f, StandardCharsets.UTF_8));

        Path big5 = tmp.resolve("big5-named-utf8.csv");
        Files.write(big5, "id,operation,Remark\nx-1,B2BInvoice/IssueConfirm,宏碁\nx-2,B2BInvoice/IssueConfirm,發票\n"
                .getBytes("x-windows-950"));
        UnreadableFileException e = assertThrows(UnreadableFileException.class, () -> DropReader.open(big5, StandardCharsets.UTF_8));
        assertTrue(e.getMessage().contains("2 of the first 3 lines") && e.getMessage().contains("x.big5.csv"), e.getMessage());
    }

    /**
     * A followed file that changed after it was taken is read to its end only once it stayed unchanged for the quiet
     * period: what is appended meanwhile is read on, the rest of a half-written line included.
     */
    @Test
    void aFollowedFileIsReadOnWhileItGrows() throws Exception {
        Path f = tmp.resolve("growing.jsonl");
        String line = "{\"id\":\"g%d\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"G%d\"}}\n";
        Files.writeString(f, String.format(line, 1, 1) + "{\"id\":\"g2\",\"opera");
        // taken when it held line 1 only: it changed since, so its end counts only after the quiet period
        DropReader.Follow follow = new DropReader.Follow(f, String.format(line, 1, 1).length(), 0, java.time.Duration.ofMillis(400));
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(150);
                Files.writeString(f, "tion\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"G2\"}}\n",
                        java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(250);
                Files.writeString(f, String.format(line, 3, 3), java.nio.file.StandardOpenOption.APPEND);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> ids = new ArrayList<>();
        LineParser p = LineParser.jsonLines(OperationCatalog.standard(), "2000132");
        try (DropReader r = DropReader.open(f, StandardCharsets.UTF_8, follow)) {
            writer.start();
            while (r.hasNext()) {
                ids.add(p.parse(r.next()).id());
            }
            assertEquals(Files.size(f), r.position());
        }
        writer.join();
        assertEquals(List.of("g1", "g2", "g3"), ids);
        assertTrue(follow.grew());
    }

    private static byte[] concat(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
