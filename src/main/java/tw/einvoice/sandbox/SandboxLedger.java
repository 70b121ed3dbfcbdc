package tw.einvoice.sandbox;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sandbox saw and did, for tests to read: requests per operation, RtnCodes answered, faults injected, and
 * how many times each RelateNumber was issued — the number that proves "never issued twice". Thread-safe.
 */
public final class SandboxLedger {

    private final EcpaySandbox sandbox;
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    SandboxLedger(EcpaySandbox sandbox) {
        this.sandbox = sandbox;
    }

    void count(String key) {
        counters.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private long get(String key) {
        LongAdder adder = counters.get(key);
        return adder == null ? 0 : adder.sum();
    }

    static String lower(String s) {
        return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
    }

    static String issuedKey(String merchantId, String relateNumber) {
        return "issued:" + merchantId.strip() + ":" + lower(relateNumber);
    }

    /** How many invoices were issued for this RelateNumber (letter case ignored, as ECPay does); more than 1 is a bug. */
    public long issuedCount(String merchantId, String relateNumber) {
        return get(issuedKey(merchantId, relateNumber));
    }

    /** Issue / DelayIssue requests refused with 5070357 because this RelateNumber was already used. */
    public long duplicateRelateNumberCount(String merchantId, String relateNumber) {
        return get("duplicate:" + merchantId.strip() + ":" + lower(relateNumber));
    }

    /** Invoices issued, all merchants (direct Issue and delayed ones alike). */
    public long totalIssued() {
        return get("issued-total");
    }

    /** Invoices issued for one merchant. */
    public long totalIssued(String merchantId) {
        return get("issued-total:" + merchantId.strip());
    }

    /** Requests that reached an operation path (faulted ones included), e.g. {@code requests("B2CInvoice/Issue")}. */
    public long requests(String operation) {
        return get("requests:" + lower(operation).replaceFirst("^/", ""));
    }

    /** Every HTTP request, including bad ones (wrong path, wrong method, not JSON). */
    public long totalRequests() {
        return get("requests-total");
    }

    /** Replies that carried this RtnCode for this operation. */
    public long replies(String operation, int rtnCode) {
        return get("rtn:" + lower(operation).replaceFirst("^/", "") + ":" + rtnCode);
    }

    /** Replies with this TransCode (1, 104, 110, 115 ...), all operations. */
    public long transCodes(int transCode) {
        return get("trans:" + transCode);
    }

    /** How many times a fault of this kind was injected. */
    public long faults(FaultRule.Kind kind) {
        return get("fault:" + kind.name());
    }

    /** How many B2B IssueConfirm requests were recorded for this invoice number. */
    public long confirmations(String merchantId, String invoiceNumber) {
        return get("confirm:" + merchantId.strip() + ":" + lower(invoiceNumber));
    }

    /** The invoice issued for this RelateNumber (letter case ignored), if any. */
    public Optional<SandboxInvoice> invoice(String merchantId, String relateNumber) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.invoiceByRelateNumber(relateNumber);
    }

    /** Every invoice issued for this merchant, in issue order. */
    public List<SandboxInvoice> invoices(String merchantId) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? List.of() : book.invoices();
    }

    /** The state of a DelayIssue Tsr: STAGED, SCHEDULED, ISSUED, CANCELLED; empty when unknown. */
    public Optional<String> tsrState(String merchantId, String tsr) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.tsrState(tsr);
    }

    /** The status (0, 1, 2) of a track; empty when the merchant has no such track. */
    public Optional<Integer> trackStatus(String merchantId, String trackId) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.trackStatus(trackId);
    }

    /** How many times an invoice was voided and issued again (VoidWithReIssue). */
    public long reissues(String merchantId, String invoiceNo) {
        return get("reissued:" + merchantId.strip() + ":" + invoiceNo.strip());
    }

    /** How many InvoiceNotify requests of this tag (I, II, A, AI, AW, OA) were taken for an invoice. */
    public long notifications(String merchantId, String invoiceNo, String tag) {
        return get("notify:" + merchantId.strip() + ":" + invoiceNo.strip() + ":" + tag);
    }

    /** An allowance the sandbox made for this merchant, by its AllowanceNo. */
    public Optional<SandboxAllowance> allowance(String merchantId, String allowanceNo) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.allowanceSnapshot(allowanceNo);
    }

    /** What can still be allowed on an invoice (SalesAmount less issued and pending allowances); empty when unknown. */
    public Optional<SandboxB2BInvoice> b2bInvoice(String merchantId, String relateNumber) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.b2b(b -> b.invoice(relateNumber));
    }

    /** A B2B allowance's state: ISSUED, CONFIRMED, CANCELLED or CANCEL_CONFIRMED. */
    public Optional<String> b2bAllowanceState(String merchantId, String allowanceNo) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.b2b(b -> b.allowanceState(allowanceNo));
    }

    /** How many B2B Notify requests named this invoice and InvoiceTag. */
    public long b2bNotifications(String merchantId, String invoiceNumber, String tag) {
        return get("b2b-notify:" + merchantId.strip() + ":" + lower(invoiceNumber) + ":" + tag);
    }

    /** Whether a trading partner is maintained (MaintainMerchantCustomerData). */
    public boolean b2bPartner(String merchantId, String identifier) {
        MerchantBook book = sandbox.book(merchantId);
        return book != null && book.b2b(b -> b.hasPartner(identifier));
    }

    public Optional<Long> remainingAllowance(String merchantId, String invoiceNo) {
        MerchantBook book = sandbox.book(merchantId);
        return book == null ? Optional.empty() : book.remainingAllowance(invoiceNo);
    }

    @Override
    public String toString() {
        return "SandboxLedger" + new java.util.TreeMap<>(counters);
    }
}
