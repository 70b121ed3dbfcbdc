package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every operation of ECPay's API, as the project's compiled list of ECPay's pages names them ({@code ecpay-catalog.md},
 * kept beside this test as a copy of {@code /work/shared/ecpay-catalog.md}), is either in the operation catalog or listed in
 * {@code docs/operations.md} as left out with a reason; and every catalogued operation has its row in that table.
 */
class CatalogCoverageTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();
    static final Path DOC = Path.of("docs/operations.md");
    static final Path SHARED = Path.of("/work/shared/ecpay-catalog.md");

    @Test
    void everyB2COperationOfEcpaysListIsCataloguedOrLeftOutWithAReason() throws IOException {
        Map<String, String> leftOut = leftOut("B2C");
        List<String> missing = new ArrayList<>();
        for (String entry : listed("## B2C")) {
            boolean present = !entry.contains(" ") && CATALOG.find("B2CInvoice/" + entry) != null;
            if (!present && !leftOut.containsKey(entry)) {
                missing.add(entry);
            }
        }
        assertEquals(List.of(), missing, "B2C operations neither in operations.json nor left out with a reason in " + DOC);
    }

    @Test
    void everyB2BOperationOfEcpaysListIsCataloguedOrLeftOutWithAReason() throws IOException {
        Map<String, String> leftOut = leftOut("B2B");
        List<String> missing = new ArrayList<>();
        for (String entry : listed("## B2B")) {
            boolean present = !entry.contains(" ") && CATALOG.find("B2BInvoice/" + entry) != null;
            if (!present && !leftOut.containsKey(entry)) {
                missing.add(entry);
            }
        }
        assertEquals(List.of(), missing, "B2B operations neither in operations.json nor left out with a reason in " + DOC);
    }

    @Test
    void nothingIsBothCataloguedAndLeftOut() throws IOException {
        for (String family : List.of("B2C", "B2B")) {
            for (String name : leftOut(family).keySet()) {
                assertTrue(CATALOG.find(family + "Invoice/" + name) == null, family + " " + name + " is catalogued and listed as left out");
            }
        }
    }

    /** The table of operations names each catalogued operation once, with the catalog's success codes, page and lookup first. */
    @Test
    void theTableOfOperationsHasARowForEachOperationThatAgreesWithTheCatalog() throws IOException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            List<String> cells = cells(line);
            if (cells.size() >= 4 && cells.get(0).matches("`B2[BC]Invoice/\\w+`")) {
                assertTrue(rows.put(cells.get(0).replace("`", ""), cells) == null, "twice in the table: " + cells.get(0));
            }
        }
        assertEquals(CATALOG.all().stream().map(Operation::name).collect(Collectors.toCollection(TreeSet::new)), new TreeSet<>(rows.keySet()),
                "the operations of docs/operations.md");
        for (Operation op : CATALOG.all()) {
            List<String> row = rows.get(op.name());
            String page = op.source().replaceAll("^ECPay (\\d+).*", "$1");
            assertTrue(row.get(1).contains(page), op.name() + ": page " + page + " in " + row);
            Set<String> codes = op.successCodes().stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(codes, new TreeSet<>(List.of(row.get(2).replace(" ", "").split(","))), op.name() + " success codes");
            assertEquals(op.lookupFirst(), row.get(3).equals("lookup first"), op.name() + " resend: " + row.get(3));
        }
    }

    @Test
    void everyOperationNamesItsEcpayPage() {
        for (Operation op : CATALOG.all()) {
            assertTrue(op.source() != null && op.source().matches("ECPay \\d+.*"), op.name() + " source: " + op.source());
        }
    }

    /** The copy beside this test is the project's list as it stands (checked where the list is at hand). */
    @Test
    void theCopyOfEcpaysListIsCurrent() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(SHARED), "no /work/shared here: the copy stands");
        assertEquals(Files.readString(SHARED, StandardCharsets.UTF_8), ecpayList());
    }

    @Test
    void theListIsReadAsExpected() throws IOException {
        List<String> b2c = listed("## B2C");
        assertTrue(b2c.containsAll(List.of("Allowance", "GetIssueList", "InvoicePrint", "GetAllowance", "AllowanceByCollegiate ReturnURL",
                "InvoiceNotifyByCollegiate")), b2c.toString());
        List<String> b2b = listed("## B2B");
        assertTrue(b2b.containsAll(List.of("MaintainMerchantCustomerData", "InvalidConfirm", "GetAllowanceInvalidConfirm", "Print PDF",
                "VoidWithReIssue", "GetCompanyNameByTaxID")), b2b.toString());
        assertFalse(b2c.contains("Op"), "the header row is not an operation");
    }

    // ------------------------------------------------------------------ reading the two documents

    static String ecpayList() throws IOException {
        try (InputStream in = CatalogCoverageTest.class.getResourceAsStream("ecpay-catalog.md")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The entries of the first column of the table under {@code heading}: each comma- or slash-separated name with what is in
     * parentheses removed ({@code GetAllowance (older single)} is {@code GetAllowance}; {@code (callbacks) DelayIssue
     * NotifyURL} is {@code DelayIssue NotifyURL}).
     */
    static List<String> listed(String heading) throws IOException {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : ecpayList().split("\n")) {
            if (line.startsWith("## ")) {
                in = line.startsWith(heading);
                continue;
            }
            List<String> cells = cells(line);
            if (!in || cells.isEmpty() || cells.get(0).equals("Op") || cells.get(0).startsWith("---")) {
                continue;
            }
            for (String part : cells.get(0).replaceAll("\\([^)]*\\)", "").split("[,/]")) {
                String name = part.strip().replaceAll("\\s+", " ");
                if (!name.isEmpty()) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** docs/operations.md's "Left out" rows of one family: name -> reason (rows without a reason do not count). */
    static Map<String, String> leftOut(String family) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            List<String> cells = cells(line);
            if (cells.size() >= 3 && cells.get(0).equals(family) && cells.get(2).strip().length() > 10) {
                out.put(cells.get(1).replace("`", "").strip(), cells.get(2).strip());
            }
        }
        return out;
    }

    static List<String> cells(String line) {
        String t = line.strip();
        if (!t.startsWith("|") || !t.endsWith("|") || t.length() < 2) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String c : t.substring(1, t.length() - 1).split("\\|", -1)) {
            out.add(c.strip());
        }
        return out;
    }
}
