package tw.einvoice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * One merchant's B2B state at the sandbox: its trading partners (MaintainMerchantCustomerData), its B2B invoices and
 * allowances, and the operations of both B2B modes on them. The mode is the buyer's: an Issue to a partner maintained with
 * ExchangeMode 1 goes in exchange mode (confirm, reject, void confirm ...), any other in certificate mode (ECPay 14830: the
 * partner sets the mode; ECPay-API-Skill guides/05 issues a certificate-mode invoice to an unmaintained buyer).
 * <p>
 * Not thread-safe on its own: {@link MerchantBook} calls it with its lock held, so B2B and B2C requests of one merchant
 * are serialised together (they share the tracks). Every change is recorded through {@link MerchantBook} before the reply.
 */
final class B2BBook {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyMMdd").withZone(MerchantBook.TAIPEI);

    /** What the book needs from its merchant: numbers from the tracks, and a place to record each change. */
    interface Host {
        /** The next number of an enabled track: {trackId, number}, or null with the error reply in {@code error[0]}. */
        String[] nextNumber(ObjectNode[] error);

        /** Records a change (arrays b2bCustomers, b2bInvoices, b2bAllowances), with the track whose number was taken. */
        void record(ObjectNode b2bChange, String trackId);
    }

    private final Host host;
    private final IntSupplier random4;
    private final SandboxLedger ledger;
    private final String merchantId;
    private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    private final Map<String, Invoice> byRelate = new LinkedHashMap<>();
    private final Map<String, Invoice> byNumber = new LinkedHashMap<>();
    private final Map<String, Allowance> allowances = new LinkedHashMap<>();
    private long allowanceSeq = 1;

    B2BBook(String merchantId, SandboxLedger ledger, IntSupplier random4, Host host) {
        this.merchantId = merchantId;
        this.ledger = ledger;
        this.random4 = random4;
        this.host = host;
    }

    private static final class Invoice {
        String relateNumber;
        String number;
        Instant issuedAt;
        String randomNumber;
        boolean exchange;
        ObjectNode data;
        /** Each step of the exchange: when it was done (null: not done), and its reason where it has one. */
        Instant confirmedAt;
        Instant rejectedAt;
        String rejectReason;
        Instant rejectConfirmedAt;
        Instant invalidAt;
        String invalidReason;
        Instant invalidConfirmedAt;
        Instant reissuedAt;

        String date() {
            return MerchantBook.DATE_TIME.format(issuedAt);
        }
    }

    private static final class Allowance {
        String allowanceNo;
        Instant createdAt;
        boolean exchange;
        ObjectNode data;
        Instant confirmedAt;
        Instant cancelledAt;
        String cancelReason;
        Instant cancelConfirmedAt;
    }

    // ---------------------------------------------------------------- trading partners

    /** The mode an Issue (or VoidWithReIssue's IssueModel) to this buyer goes in: its partner's, else certificate. */
    String modeOf(ObjectNode data) {
        JsonNode buyer = data.has("IssueModel") ? data.path("IssueModel").path("CustomerIdentifier") : data.path("CustomerIdentifier");
        ObjectNode partner = customers.get(buyer.asText("").strip());
        return partner != null && "1".equals(partner.path("ExchangeMode").asText()) ? "exchange" : "certificate";
    }

    ObjectNode maintainCustomer(ObjectNode data) {
        String id = data.path("Identifier").asText().strip();
        String action = data.path("Action").asText();
        ObjectNode existing = customers.get(id);
        ObjectNode change = JSON.createObjectNode();
        switch (action) {
            case "Add" -> {
                if (existing != null) {
                    return MerchantBook.rtn(6160052, "交易對象統一編號已存在");
                }
                ObjectNode partner = data.deepCopy();
                partner.remove(List.of("MerchantID", "Action"));
                customers.put(id, partner);
                change.putArray("b2bCustomers").add(partner);
            }
            case "Update" -> {
                if (existing == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_PARTNER_NOT_FOUND, "查無交易對象 (Identifier " + id + ")");
                }
                data.fields().forEachRemaining(e -> {
                    if (!e.getKey().equals("MerchantID") && !e.getKey().equals("Action") && !e.getValue().asText("").isEmpty()) {
                        existing.set(e.getKey(), e.getValue());
                    }
                });
                change.putArray("b2bCustomers").add(existing);
            }
            default -> {
                if (existing == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_PARTNER_NOT_FOUND, "查無交易對象 (Identifier " + id + ")");
                }
                customers.remove(id);
                change.putArray("b2bCustomers").addObject().put("Identifier", id).put("deleted", true);
            }
        }
        host.record(change, null);
        return MerchantBook.rtn(1, "成功");
    }

    // ---------------------------------------------------------------- invoices

    ObjectNode issue(ObjectNode data, Instant now) {
        String relate = data.path("RelateNumber").asText();
        if (byRelate.containsKey(SandboxLedger.lower(relate))) {
            ledger.count("duplicate:" + merchantId + ":" + SandboxLedger.lower(relate));
            // B2C's published code for a RelateNumber used before: the B2B one is not published (docs/operations.md)
            ObjectNode out = MerchantBook.rtn(5070357, "B2B開立發票 自訂編號重覆，請重新設定");
            out.put("InvoiceNumber", "");
            return out;
        }
        ObjectNode[] error = new ObjectNode[1];
        String[] taken = host.nextNumber(error);
        if (taken == null) {
            return error[0];
        }
        Invoice inv = new Invoice();
        inv.relateNumber = relate;
        inv.number = taken[1];
        inv.issuedAt = now;
        inv.randomNumber = String.format("%04d", random4.getAsInt());
        inv.exchange = "exchange".equals(modeOf(data));
        inv.data = data.deepCopy();
        byRelate.put(SandboxLedger.lower(relate), inv);
        byNumber.put(inv.number, inv);
        ledger.count("b2b-issued:" + merchantId);
        host.record(change(inv), taken[0]);
        ObjectNode out = MerchantBook.rtn(1, "新增成功");
        out.put("InvoiceNumber", inv.number);
        out.put("InvoiceDate", inv.date());
        out.put("RandomNumber", inv.randomNumber);
        return out;
    }

    private Invoice find(ObjectNode data) {
        String relate = data.path("RelateNumber").asText("");
        if (!data.hasNonNull("InvoiceNumber") && !data.hasNonNull("InvoiceNo") && !relate.isEmpty()) {
            return byRelate.get(SandboxLedger.lower(relate));
        }
        String number = data.hasNonNull("InvoiceNumber") ? data.get("InvoiceNumber").asText() : data.path("InvoiceNo").asText();
        Invoice inv = byNumber.get(number.strip().toUpperCase(Locale.ROOT));
        String date = data.path("InvoiceDate").asText("").strip().replace('/', '-');
        return inv == null || !inv.date().startsWith(date) ? null : inv;
    }

    private static ObjectNode notFound(ObjectNode data) {
        return MerchantBook.rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料 (InvoiceNumber " + data.path("InvoiceNumber").asText(
                data.path("InvoiceNo").asText()) + ", InvoiceDate " + data.path("InvoiceDate").asText() + ")");
    }

    private static ObjectNode exchangeOnly(String what) {
        return MerchantBook.rtn(SandboxCodes.B2B_NOT_EXCHANGE, what + "：此發票為存證，無交換流程");
    }

    /** The one step that changes an invoice: each checks what must come first, refuses a step done already. */
    ObjectNode invoiceStep(String operation, ObjectNode data, Instant now) {
        Invoice inv = find(data);
        if (inv == null && operation.equals("IssueConfirm")) {
            // an invoice another merchant issued to this one (進項): the sandbox holds none, so the confirm is taken as given
            ledger.count("confirm:" + merchantId + ":" + SandboxLedger.lower(data.path("InvoiceNumber").asText()));
            return MerchantBook.rtn(1, "成功");
        }
        if (inv == null) {
            return notFound(data);
        }
        switch (operation) {
            case "IssueConfirm" -> {
                if (!inv.exchange) {
                    return exchangeOnly("開立確認");
                }
                if (inv.confirmedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此發票已確認");
                }
                if (inv.rejectedAt != null || inv.invalidAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此發票已退回或作廢，無法確認");
                }
                inv.confirmedAt = now;
                ledger.count("confirm:" + merchantId + ":" + SandboxLedger.lower(inv.number));
            }
            case "Reject" -> {
                if (!inv.exchange) {
                    return exchangeOnly("退回");
                }
                if (inv.rejectedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此發票已退回");
                }
                if (inv.invalidAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此發票已作廢，無法退回");
                }
                inv.rejectedAt = now;
                inv.rejectReason = data.path("Reason").asText();
            }
            case "RejectConfirm" -> {
                if (inv.rejectedAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此發票未退回");
                }
                if (inv.rejectConfirmedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此發票已確認退回");
                }
                inv.rejectConfirmedAt = now;
            }
            case "Invalid" -> {
                if (inv.invalidAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此發票已作廢");
                }
                if (inv.rejectedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此發票已退回，無法作廢");
                }
                if (allowed(inv) > 0) {
                    return MerchantBook.rtn(SandboxCodes.HAS_ALLOWANCES, "該發票已開立折讓，請先取消折讓");
                }
                inv.invalidAt = now;
                inv.invalidReason = data.path("Reason").asText();
            }
            default -> { // InvalidConfirm
                if (!inv.exchange) {
                    return exchangeOnly("作廢確認");
                }
                if (inv.invalidAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此發票未作廢");
                }
                if (inv.invalidConfirmedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此發票已確認作廢");
                }
                inv.invalidConfirmedAt = now;
            }
        }
        host.record(change(inv), null);
        return MerchantBook.rtn(1, "成功");
    }

    /** Certificate mode: void and issue again with new content; the number, RelateNumber and time stay. */
    ObjectNode voidWithReIssue(ObjectNode data, Instant now) {
        ObjectNode issue = (ObjectNode) data.path("IssueModel");
        Invoice inv = byNumber.get(data.path("VoidModel").path("InvoiceNumber").asText().strip());
        if (inv == null) {
            return MerchantBook.rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料");
        }
        if (inv.exchange) {
            return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "註銷重開僅適用於存證發票");
        }
        if (inv.invalidAt != null) {
            return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此發票已作廢");
        }
        if (allowed(inv) > 0) {
            return MerchantBook.rtn(SandboxCodes.HAS_ALLOWANCES, "該發票已開立折讓，請先取消折讓");
        }
        if (!SandboxLedger.lower(issue.path("RelateNumber").asText()).equals(SandboxLedger.lower(inv.relateNumber))) {
            return MerchantBook.rtn(SandboxCodes.REISSUE_CHANGES_KEY, "註銷重開須沿用原發票的自訂編號");
        }
        ObjectNode kept = issue.deepCopy();
        kept.remove("InvoiceDate");
        inv.data = kept;
        inv.randomNumber = String.format("%04d", random4.getAsInt());
        inv.reissuedAt = now;
        ledger.count("reissue:" + merchantId + ":" + SandboxLedger.lower(inv.number));
        host.record(change(inv), null);
        ObjectNode out = MerchantBook.rtn(1, "成功");
        out.put("InvoiceNumber", inv.number);
        out.put("InvoiceDate", inv.date());
        out.put("RandomNumber", inv.randomNumber);
        return out;
    }

    /** The lookups of an invoice: each answers under RtnData, or "not found" when its step was not done. */
    ObjectNode invoiceLookup(String operation, ObjectNode data) {
        Invoice inv = find(data);
        if (inv == null) {
            return notFound(data);
        }
        ObjectNode d = JSON.createObjectNode();
        d.put("MerchantID", merchantId).put("InvoiceNumber", inv.number).put("InvoiceDate", inv.date())
                .put("RelateNumber", inv.relateNumber);
        switch (operation) {
            case "GetIssue" -> issueDetails(inv, d);
            case "GetIssueConfirm" -> {
                if (inv.confirmedAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_NOT_DONE, "查無開立確認資料");
                }
                d.put("ConfirmDate", MerchantBook.DATE_TIME.format(inv.confirmedAt));
            }
            case "GetInvalid" -> {
                if (inv.invalidAt == null) {
                    return MerchantBook.rtn(SandboxCodes.NOT_INVALID, "查無作廢發票資料：該張發票未作廢");
                }
                d.put("CancelDate", MerchantBook.DATE_TIME.format(inv.invalidAt)).put("CancelReason", inv.invalidReason)
                        .put("ConfirmDate", inv.invalidConfirmedAt == null ? "" : MerchantBook.DATE_TIME.format(inv.invalidConfirmedAt));
            }
            case "GetInvalidConfirm" -> {
                if (inv.invalidConfirmedAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_NOT_DONE, "查無作廢確認資料");
                }
                d.put("CancelReason", inv.invalidReason).put("ConfirmDate", MerchantBook.DATE_TIME.format(inv.invalidConfirmedAt));
            }
            case "GetReject" -> {
                if (inv.rejectedAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_NOT_DONE, "查無退回資料");
                }
                d.put("RejectDate", MerchantBook.DATE_TIME.format(inv.rejectedAt)).put("RejectReason", inv.rejectReason);
            }
            default -> { // GetRejectConfirm
                if (inv.rejectConfirmedAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_NOT_DONE, "查無退回確認資料");
                }
                d.put("RejectReason", inv.rejectReason).put("ConfirmDate", MerchantBook.DATE_TIME.format(inv.rejectConfirmedAt));
            }
        }
        ObjectNode out = MerchantBook.rtn(1, "查詢成功");
        out.set("RtnData", d);
        return out;
    }

    /** GetIssue's RtnData, with the names of .NET2022 GetIssueResult. */
    private void issueDetails(Invoice inv, ObjectNode d) {
        ObjectNode data = inv.data;
        d.put("Buyer_Identifier", data.path("CustomerIdentifier").asText());
        ObjectNode partner = customers.get(data.path("CustomerIdentifier").asText());
        d.put("Buyer_Name", partner == null ? "" : partner.path("CompanyName").asText(""));
        d.put("Buyer_EmailAddress", data.path("CustomerEmail").asText(""));
        d.put("InvoiceType", data.path("InvType").asText());
        d.put("TaxType", data.path("TaxType").asText());
        d.put("SalesAmount", data.path("SalesAmount").asLong());
        d.put("TaxAmount", data.path("TaxAmount").asLong());
        d.put("TotalAmount", data.path("TotalAmount").asLong());
        d.put("RandomNumber", inv.randomNumber);
        d.put("Issue_Status", "1");
        d.put("Invalid_Status", inv.invalidAt == null ? "0" : "1");
        d.put("ExchangeMode", inv.exchange ? "1" : "0");
        d.put("ConfirmDate", inv.confirmedAt == null ? "" : MerchantBook.DATE_TIME.format(inv.confirmedAt));
        d.put("BalanceAmount", data.path("SalesAmount").asLong() - allowed(inv));
        ArrayNode items = d.putArray("items");
        data.path("Items").forEach(i -> items.add(i.deepCopy()));
    }

    ObjectNode notify(ObjectNode data) {
        Invoice inv = find(data);
        if (inv == null) {
            return notFound(data);
        }
        String allowanceNo = data.path("AllowanceNo").asText("");
        if (!allowanceNo.isEmpty() && !allowances.containsKey(allowanceNo)) {
            return MerchantBook.rtn(SandboxCodes.ALLOWANCE_NOT_FOUND, "查無折讓資料 (AllowanceNo " + allowanceNo + ")");
        }
        ledger.count("b2b-notify:" + merchantId + ":" + SandboxLedger.lower(inv.number) + ":" + data.path("InvoiceTag").asText());
        return MerchantBook.rtn(1, "成功");
    }

    ObjectNode print(ObjectNode data, String printBase) {
        Invoice inv = find(data);
        if (inv == null) {
            return notFound(data);
        }
        ObjectNode out = MerchantBook.rtn(1, "成功");
        out.put("InvoiceHtml", printBase + "/print/" + inv.number);
        return out;
    }

    // ---------------------------------------------------------------- allowances

    /** The untaxed amount allowed against an invoice by allowances not cancelled. */
    private long allowed(Invoice inv) {
        long sum = 0;
        for (Allowance a : allowances.values()) {
            if (a.cancelledAt == null) {
                for (JsonNode line : a.data.path("Details")) {
                    if (line.path("OriginalInvoiceNumber").asText().equals(inv.number)) {
                        sum += Math.round(line.path("ItemAmount").asDouble());
                    }
                }
            }
        }
        return sum;
    }

    ObjectNode allowance(ObjectNode data, Instant now) {
        Map<Invoice, Long> asked = new LinkedHashMap<>();
        for (JsonNode line : data.path("Details")) {
            ObjectNode key = JSON.createObjectNode().put("InvoiceNumber", line.path("OriginalInvoiceNumber").asText())
                    .put("InvoiceDate", line.path("OriginalInvoiceDate").asText());
            Invoice inv = find(key);
            if (inv == null) {
                return notFound(key);
            }
            if (inv.invalidAt != null || inv.rejectedAt != null) {
                return MerchantBook.rtn(SandboxCodes.ALLOWANCE_ON_VOID, "發票 " + inv.number + " 已作廢或退回，無法折讓");
            }
            asked.merge(inv, Math.round(line.path("ItemAmount").asDouble()), Long::sum);
        }
        for (Map.Entry<Invoice, Long> e : asked.entrySet()) {
            long left = e.getKey().data.path("SalesAmount").asLong() - allowed(e.getKey());
            if (e.getValue() > left) {
                return MerchantBook.rtn(SandboxCodes.ALLOWANCE_OVER_REMAINING, "折讓金額超過發票 " + e.getKey().number + " 可折讓金額 " + left);
            }
        }
        Allowance a = new Allowance();
        a.allowanceNo = DAY.format(now) + String.format("%010d", allowanceSeq++);
        a.createdAt = now;
        a.exchange = asked.keySet().stream().anyMatch(i -> i.exchange);
        a.data = data.deepCopy();
        allowances.put(a.allowanceNo, a);
        host.record(change(a), null);
        ObjectNode out = MerchantBook.rtn(1, "成功");
        out.put("AllowanceNo", a.allowanceNo);
        return out;
    }

    ObjectNode allowanceStep(String operation, ObjectNode data, Instant now) {
        Allowance a = allowances.get(data.path("AllowanceNo").asText().strip());
        if (a == null) {
            return MerchantBook.rtn(SandboxCodes.ALLOWANCE_NOT_FOUND, "查無折讓資料 (AllowanceNo " + data.path("AllowanceNo").asText() + ")");
        }
        switch (operation) {
            case "AllowanceConfirm" -> {
                if (!a.exchange) {
                    return exchangeOnly("折讓確認");
                }
                if (a.confirmedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此折讓已確認");
                }
                if (a.cancelledAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此折讓已取消");
                }
                a.confirmedAt = now;
            }
            case "CancelAllowance" -> {
                if (a.cancelledAt != null) {
                    return MerchantBook.rtn(SandboxCodes.ALLOWANCE_ALREADY_VOID, "此折讓已取消");
                }
                a.cancelledAt = now;
                a.cancelReason = data.path("Reason").asText();
            }
            default -> { // CancelAllowanceConfirm
                if (!a.exchange) {
                    return exchangeOnly("取消折讓確認");
                }
                if (a.cancelledAt == null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_WRONG_STATE, "此折讓未取消");
                }
                if (a.cancelConfirmedAt != null) {
                    return MerchantBook.rtn(SandboxCodes.B2B_ALREADY_DONE, "此折讓已確認取消");
                }
                a.cancelConfirmedAt = now;
            }
        }
        host.record(change(a), null);
        return MerchantBook.rtn(1, "成功");
    }

    ObjectNode allowanceLookup(String operation, ObjectNode data) {
        Allowance a = allowances.get(data.path("AllowanceNo").asText().strip());
        if (a == null) {
            return MerchantBook.rtn(SandboxCodes.ALLOWANCE_NOT_FOUND, "查無折讓資料 (AllowanceNo " + data.path("AllowanceNo").asText() + ")");
        }
        Instant when = switch (operation) {
            case "GetAllowance" -> a.createdAt;
            case "GetAllowanceConfirm" -> a.confirmedAt;
            case "GetAllowanceInvalid" -> a.cancelledAt;
            default -> a.cancelConfirmedAt;
        };
        if (when == null) {
            return MerchantBook.rtn(SandboxCodes.B2B_NOT_DONE, "查無資料：此折讓尚未" + switch (operation) {
                case "GetAllowanceConfirm" -> "確認";
                case "GetAllowanceInvalid" -> "取消";
                default -> "確認取消";
            });
        }
        ObjectNode d = JSON.createObjectNode();
        d.put("MerchantID", merchantId).put("AllowanceNo", a.allowanceNo)
                .put("AllowanceDate", MerchantBook.DATE_TIME.format(a.createdAt))
                .put("TaxAmount", a.data.path("TaxAmount").asLong()).put("TotalAmount", a.data.path("TotalAmount").asLong())
                .put("Invalid_Status", a.cancelledAt == null ? "0" : "1")
                .put("ConfirmDate", a.confirmedAt == null ? "" : MerchantBook.DATE_TIME.format(a.confirmedAt));
        if (a.cancelledAt != null) {
            d.put("CancelDate", MerchantBook.DATE_TIME.format(a.cancelledAt)).put("CancelReason", a.cancelReason);
        }
        ArrayNode items = d.putArray("items");
        a.data.path("Details").forEach(l -> items.add(l.deepCopy()));
        ObjectNode out = MerchantBook.rtn(1, "查詢成功");
        out.set("RtnData", d);
        return out;
    }

    // ---------------------------------------------------------------- what tests and the ledger read

    Optional<SandboxB2BInvoice> invoice(String relateNumber) {
        Invoice inv = byRelate.get(SandboxLedger.lower(relateNumber));
        return inv == null ? Optional.empty() : Optional.of(new SandboxB2BInvoice(merchantId, inv.relateNumber, inv.number, inv.date(),
                inv.exchange ? "exchange" : "certificate", state(inv), inv.data.path("TotalAmount").asLong(), allowed(inv)));
    }

    private static String state(Invoice inv) {
        if (inv.invalidAt != null) {
            return inv.invalidConfirmedAt != null ? "INVALID_CONFIRMED" : "INVALID";
        }
        if (inv.rejectedAt != null) {
            return inv.rejectConfirmedAt != null ? "REJECT_CONFIRMED" : "REJECTED";
        }
        return inv.confirmedAt != null ? "CONFIRMED" : "ISSUED";
    }

    Optional<String> allowanceState(String allowanceNo) {
        Allowance a = allowances.get(allowanceNo);
        if (a == null) {
            return Optional.empty();
        }
        return Optional.of(a.cancelledAt != null ? (a.cancelConfirmedAt != null ? "CANCEL_CONFIRMED" : "CANCELLED")
                : a.confirmedAt != null ? "CONFIRMED" : "ISSUED");
    }

    boolean hasPartner(String identifier) {
        return customers.containsKey(identifier);
    }

    // ---------------------------------------------------------------- state on disk

    private ObjectNode change(Invoice inv) {
        ObjectNode c = JSON.createObjectNode();
        ObjectNode n = c.putArray("b2bInvoices").addObject();
        n.put("relateNumber", inv.relateNumber).put("number", inv.number).put("issuedAt", inv.issuedAt.toString())
                .put("randomNumber", inv.randomNumber).put("exchange", inv.exchange);
        n.set("data", inv.data);
        put(n, "confirmedAt", inv.confirmedAt);
        put(n, "rejectedAt", inv.rejectedAt);
        n.put("rejectReason", inv.rejectReason);
        put(n, "rejectConfirmedAt", inv.rejectConfirmedAt);
        put(n, "invalidAt", inv.invalidAt);
        n.put("invalidReason", inv.invalidReason);
        put(n, "invalidConfirmedAt", inv.invalidConfirmedAt);
        put(n, "reissuedAt", inv.reissuedAt);
        return c;
    }

    private ObjectNode change(Allowance a) {
        ObjectNode c = JSON.createObjectNode();
        c.put("b2bAllowanceSeq", allowanceSeq);
        ObjectNode n = c.putArray("b2bAllowances").addObject();
        n.put("allowanceNo", a.allowanceNo).put("createdAt", a.createdAt.toString()).put("exchange", a.exchange);
        n.set("data", a.data);
        put(n, "confirmedAt", a.confirmedAt);
        put(n, "cancelledAt", a.cancelledAt);
        n.put("cancelReason", a.cancelReason);
        put(n, "cancelConfirmedAt", a.cancelConfirmedAt);
        return c;
    }

    private static void put(ObjectNode n, String name, Instant t) {
        n.put(name, t == null ? null : t.toString());
    }

    private static Instant at(JsonNode n, String name) {
        return n.hasNonNull(name) ? Instant.parse(n.get(name).asText()) : null;
    }

    private static String text(JsonNode n, String name) {
        return n.hasNonNull(name) ? n.get(name).asText() : null;
    }

    /** The whole B2B book, to be merged into the merchant's snapshot. */
    ObjectNode snapshot() {
        ObjectNode all = JSON.createObjectNode();
        ArrayNode partners = all.putArray("b2bCustomers");
        customers.values().forEach(partners::add);
        ArrayNode invoices = all.putArray("b2bInvoices");
        byNumber.values().forEach(inv -> invoices.add(change(inv).get("b2bInvoices").get(0)));
        ArrayNode allowanceList = all.putArray("b2bAllowances");
        allowances.values().forEach(a -> allowanceList.add(change(a).get("b2bAllowances").get(0)));
        all.put("b2bAllowanceSeq", allowanceSeq);
        return all;
    }

    /** Applies one recorded change (last one wins per partner, invoice and allowance). */
    void restore(JsonNode change) {
        for (JsonNode p : change.path("b2bCustomers")) {
            String id = p.path("Identifier").asText();
            if (p.path("deleted").asBoolean()) {
                customers.remove(id);
            } else {
                customers.put(id, (ObjectNode) p);
            }
        }
        for (JsonNode n : change.path("b2bInvoices")) {
            Invoice inv = new Invoice();
            inv.relateNumber = n.path("relateNumber").asText();
            inv.number = n.path("number").asText();
            inv.issuedAt = Instant.parse(n.path("issuedAt").asText());
            inv.randomNumber = n.path("randomNumber").asText();
            inv.exchange = n.path("exchange").asBoolean();
            inv.data = (ObjectNode) n.path("data");
            inv.confirmedAt = at(n, "confirmedAt");
            inv.rejectedAt = at(n, "rejectedAt");
            inv.rejectReason = text(n, "rejectReason");
            inv.rejectConfirmedAt = at(n, "rejectConfirmedAt");
            inv.invalidAt = at(n, "invalidAt");
            inv.invalidReason = text(n, "invalidReason");
            inv.invalidConfirmedAt = at(n, "invalidConfirmedAt");
            inv.reissuedAt = at(n, "reissuedAt");
            byRelate.put(SandboxLedger.lower(inv.relateNumber), inv);
            byNumber.put(inv.number, inv);
        }
        for (JsonNode n : change.path("b2bAllowances")) {
            Allowance a = new Allowance();
            a.allowanceNo = n.path("allowanceNo").asText();
            a.createdAt = Instant.parse(n.path("createdAt").asText());
            a.exchange = n.path("exchange").asBoolean();
            a.data = (ObjectNode) n.path("data");
            a.confirmedAt = at(n, "confirmedAt");
            a.cancelledAt = at(n, "cancelledAt");
            a.cancelReason = text(n, "cancelReason");
            a.cancelConfirmedAt = at(n, "cancelConfirmedAt");
            allowances.put(a.allowanceNo, a);
        }
        if (change.has("b2bAllowanceSeq")) {
            allowanceSeq = Math.max(allowanceSeq, change.get("b2bAllowanceSeq").asLong());
        }
    }
}
