package tw.einvoice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import tw.einvoice.protocol.EcpayCallback;

/**
 * One merchant's state at the sandbox — tracks, issued invoices, staged delayed invoices — and the operations that
 * change it. Every public-facing method locks the book, so one merchant's requests are serialised like ECPay's
 * database would serialise them, while different merchants run in parallel. Each change is handed, as one JSON object,
 * to the sandbox's state file before the request that made it is answered ({@link #restore} reads such objects back).
 */
final class MerchantBook {

    static final ZoneId TAIPEI = ZoneId.of("Asia/Taipei");
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(TAIPEI);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String merchantId;
    private final SandboxLedger ledger;
    private final IntSupplier random4;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    /** by lower-case RelateNumber: issued invoices */
    private final Map<String, Invoice> byRelate = new LinkedHashMap<>();
    private final Map<String, Invoice> byNumber = new LinkedHashMap<>();
    /** lower-case RelateNumbers taken by staged (not yet issued) delayed invoices */
    private final Map<String, Staged> stagedByRelate = new LinkedHashMap<>();
    private final Map<String, Staged> byTsr = new LinkedHashMap<>();
    private long orderSeq = 1;
    /** Allowances by AllowanceNo, in the order they were made. */
    private final Map<String, Allowance> allowances = new LinkedHashMap<>();
    private long allowanceSeq = 1;
    /** The next TrackID AddInvoiceWordSetting gives (the default track is 1000001). */
    private long trackSeq = 1_000_101;
    /** Where each change goes before it is answered; a no-op for a sandbox that keeps its state in memory. */
    private final Consumer<ObjectNode> changes;
    /** Sends the callbacks a NotifyURL or ReturnURL asked for, after the change that causes them. */
    private final CallbackPoster callbacks;

    /** The merchant's B2B partners, invoices and allowances; called with this book's lock held (they share the tracks). */
    private final B2BBook b2b;

    MerchantBook(String merchantId, SandboxLedger ledger, IntSupplier random4, Consumer<ObjectNode> changes,
            CallbackPoster callbacks) {
        this.merchantId = merchantId;
        this.ledger = ledger;
        this.random4 = random4;
        this.changes = changes;
        this.callbacks = callbacks;
        this.b2b = new B2BBook(merchantId, ledger, random4, new B2BBook.Host() {
            @Override
            public String[] nextNumber(ObjectNode[] error) {
                return b2bNumber(error);
            }

            @Override
            public void record(ObjectNode b2bChange, String trackId) {
                Change c = change();
                if (trackId != null) {
                    c.track(tracks.get(trackId));
                }
                c.node.setAll(b2bChange);
                MerchantBook.this.record(c);
            }
        });
    }

    /** Runs a B2B operation under this book's lock. */
    synchronized <T> T b2b(java.util.function.Function<B2BBook, T> operation) {
        return operation.apply(b2b);
    }

    /** A B2B invoice's number: the next of the first enabled track that has one, as a B2C invoice's. */
    private String[] b2bNumber(ObjectNode[] error) {
        boolean anyEnabled = false;
        for (Track t : tracks.values()) {
            if (t.status == 2) {
                anyEnabled = true;
                if (t.hasNumbers()) {
                    return new String[] {t.trackId, t.allocate()};
                }
            }
        }
        error[0] = rtn(SandboxCodes.NO_TRACK_NUMBERS, anyEnabled
                ? "字軌號碼已用完，請新增字軌並啟用" : "無已啟用的字軌，請先設定字軌狀態為啟用");
        return null;
    }

    private static final class Invoice {
        final String relateNumber;
        final String invoiceNo;
        final Instant issuedAt;
        /** Changed by VoidWithReIssue, as the data. */
        String randomNumber;
        final String trackId;
        final String tsr;
        ObjectNode data;
        Instant invalidAt;
        String invalidReason;
        /** The last VoidWithReIssue, or null. */
        Instant reissuedAt;

        Invoice(String relateNumber, String invoiceNo, Instant issuedAt, String randomNumber, String trackId, String tsr,
                ObjectNode data) {
            this.relateNumber = relateNumber;
            this.invoiceNo = invoiceNo;
            this.issuedAt = issuedAt;
            this.randomNumber = randomNumber;
            this.trackId = trackId;
            this.tsr = tsr;
            this.data = data;
        }

        String date() {
            return DATE_TIME.format(issuedAt);
        }
    }

    private enum StagedState { STAGED, SCHEDULED, ISSUED, CANCELLED }

    private static final class Staged {
        final String tsr;
        /** Replaced by EditDelayIssue. */
        ObjectNode data;
        final int delayFlag;
        final int delayDay;
        final String orderNumber;
        StagedState state;
        Instant dueAt;

        Staged(String tsr, ObjectNode data, int delayFlag, int delayDay, String orderNumber) {
            this.tsr = tsr;
            this.data = data;
            this.delayFlag = delayFlag;
            this.delayDay = delayDay;
            this.orderNumber = orderNumber;
        }
    }

    /** ISSUED counts against the invoice; PENDING (online, not agreed yet) too; VOID and CANCELLED gave it back. */
    enum AllowanceState { ISSUED, PENDING, VOID, CANCELLED }

    private static final class Allowance {
        final String allowanceNo;
        final String invoiceNo;
        final Instant createdAt;
        final ObjectNode data;
        final boolean online;
        AllowanceState state;
        /** When it was agreed (online), voided or cancelled. */
        Instant changedAt;
        String reason;

        Allowance(String allowanceNo, String invoiceNo, Instant createdAt, ObjectNode data, boolean online) {
            this.allowanceNo = allowanceNo;
            this.invoiceNo = invoiceNo;
            this.createdAt = createdAt;
            this.data = data;
            this.online = online;
        }

        long amount() {
            return data.path("AllowanceAmount").asLong();
        }

        boolean takesAmount() {
            return state == AllowanceState.ISSUED || state == AllowanceState.PENDING;
        }
    }

    // ---------------------------------------------------------------- tracks

    /** Adds (or replaces) a track of the period {@code now} falls in (Taipei time). */
    synchronized void addTrack(String trackId, String header, long start, long end, int status, Instant now) {
        if (status < 0 || status > 2) {
            throw new IllegalArgumentException("track status is 0, 1 or 2, got " + status);
        }
        Track t = new Track(trackId, header, start, end, status, rocYear(now), term(now), "07");
        tracks.put(trackId, t);
        record(change().track(t));
    }

    /** A merchant's default track: added once, kept as it is (numbers used, status) when the state was restored. */
    synchronized void addTrackIfAbsent(String trackId, String header, long start, long end, int status, Instant now) {
        if (!tracks.containsKey(trackId)) {
            addTrack(trackId, header, start, end, status, now);
        }
    }

    /** The year of the Republic of China an instant falls in, Taipei time: "115" for 2026. */
    static String rocYear(Instant t) {
        return Integer.toString(t.atZone(TAIPEI).getYear() - 1911);
    }

    /** The two-month invoice period an instant falls in, Taipei time: 1 for January-February ... 6 for November-December. */
    static int term(Instant t) {
        return (t.atZone(TAIPEI).getMonthValue() + 1) / 2;
    }

    // ---------------------------------------------------------------- word settings (字軌)

    /**
     * The numbers the Ministry of Finance allotted for a year (fixed sandbox data): last and this year have six periods of
     * 500 numbers each (10 books of 50); next year has none yet (7, no data); other years are refused.
     */
    ObjectNode govWordSetting(ObjectNode data, Instant now) {
        int asked = Integer.parseInt(data.path("InvoiceYear").asText());
        int thisYear = Integer.parseInt(rocYear(now));
        if (asked == thisYear + 1) {
            return rtn(SandboxDirectory.NO_DATA, "查無資料");
        }
        if (asked != thisYear && asked != thisYear - 1) {
            return rtn(SandboxCodes.TRACK_YEAR, "字軌年份錯誤：僅可查詢去年、今年或明年 (InvoiceYear " + asked + ")");
        }
        ObjectNode out = rtn(1, "執行成功");
        ArrayNode info = out.putArray("InvoiceInfo");
        for (int term = 1; term <= 6; term++) {
            ObjectNode w = info.addObject();
            w.put("InvoiceTerm", term);
            w.put("InvType", "07");
            w.put("InvoiceHeader", GOV_HEADERS[term - 1]);
            w.put("InvoiceStart", "10000000");
            w.put("InvoiceEnd", "10000499");
            w.put("Number", 10);
        }
        return out;
    }

    /** The headers the sandbox's Ministry of Finance allots, one per period. */
    static final String[] GOV_HEADERS = {"GA", "GB", "GC", "GD", "GE", "GF"};

    /** Adds a track: approved but not enabled, as ECPay does (7870); its range may not overlap a track of the same header. */
    ObjectNode addWordSetting(ObjectNode data, Instant now) {
        String year = data.path("InvoiceYear").asText();
        int thisYear = Integer.parseInt(rocYear(now));
        if (!year.equals(Integer.toString(thisYear)) && !year.equals(Integer.toString(thisYear + 1))) {
            return rtn(SandboxCodes.TRACK_YEAR, "字軌年份錯誤：僅可新增今年或明年的字軌 (InvoiceYear " + year + ")");
        }
        String header = data.path("InvoiceHeader").asText();
        int term = data.path("InvoiceTerm").asInt();
        long start = Long.parseLong(data.path("InvoiceStart").asText());
        long end = Long.parseLong(data.path("InvoiceEnd").asText());
        if (end < start) {
            return rtn(SandboxCodes.VALUE_NOT_ALLOWED, "字軌結束號碼不可小於起始號碼");
        }
        synchronized (this) {
            for (Track t : tracks.values()) {
                if (t.header.equals(header) && t.year.equals(year) && t.term == term && start <= t.end && t.start <= end) {
                    return rtn(SandboxCodes.TRACK_OVERLAP, "字軌號碼區間重疊 (TrackID " + t.trackId + ")");
                }
            }
            String trackId = Long.toString(trackSeq++);
            Track t = new Track(trackId, header, start, end, 0, year, term, data.path("InvType").asText("07"));
            tracks.put(trackId, t);
            record(change().track(t));
            ObjectNode out = rtn(1, "新增字軌成功");
            out.put("TrackID", trackId);
            return out;
        }
    }

    /** The merchant's tracks of a year, filtered as GetInvoiceWordSetting asks (0: any term, any status). */
    ObjectNode wordSettings(ObjectNode data) {
        String year = data.path("InvoiceYear").asText();
        int term = data.path("InvoiceTerm").asInt();
        int useStatus = data.path("UseStatus").asInt();
        String invType = data.path("InvType").asText("");
        String header = data.path("InvoiceHeader").asText("");
        int category = data.path("InvoiceCategory").asInt();
        ObjectNode out = rtn(1, "執行成功");
        ArrayNode info = out.putArray("InvoiceInfo");
        synchronized (this) {
            for (Track t : tracks.values()) {
                if (!t.year.equals(year) || (term != 0 && t.term != term) || (useStatus != 0 && t.useStatus() != useStatus)
                        || (!invType.isEmpty() && !t.invType.equals(invType)) || (!header.isEmpty() && !t.header.equals(header))
                        || category == 2) {
                    continue; // the sandbox's tracks are all B2C
                }
                ObjectNode w = info.addObject();
                w.put("TrackID", t.trackId);
                w.put("InvoiceYear", t.year);
                w.put("InvoiceTerm", t.term);
                w.put("InvType", t.invType);
                w.put("InvoiceHeader", t.header);
                w.put("InvoiceStart", String.format("%08d", t.start));
                w.put("InvoiceEnd", String.format("%08d", t.end));
                w.put("InvoiceNo", t.next == t.start ? "" : String.format("%08d", t.next - 1));
                w.put("UseStatus", t.useStatus());
            }
        }
        return out;
    }

    synchronized Optional<Integer> trackStatus(String trackId) {
        Track t = tracks.get(trackId);
        return t == null ? Optional.empty() : Optional.of(t.status);
    }

    ObjectNode updateInvoiceWordStatus(ObjectNode data) {
        String trackId = data.path("TrackID").asText();
        int status = data.path("InvoiceStatus").asInt();
        synchronized (this) {
            Track t = tracks.get(trackId);
            if (t == null) {
                return rtn(SandboxCodes.TRACK_NOT_FOUND, "查無此字軌資料 (TrackID " + trackId + ")");
            }
            t.status = status;
            record(change().track(t));
            return rtn(1, "成功");
        }
    }

    // ---------------------------------------------------------------- issuing

    ObjectNode issue(ObjectNode data, Instant now) {
        String relate = data.path("RelateNumber").asText();
        synchronized (this) {
            issueDue(now);
            if (relateTaken(relate)) {
                return duplicateRelate(relate);
            }
            Object result = allocate(relate, null, data, now);
            if (result instanceof ObjectNode error) {
                return error;
            }
            Invoice inv = (Invoice) result;
            record(change().issued(inv));
            ObjectNode out = rtn(1, "開立發票成功");
            out.put("InvoiceNo", inv.invoiceNo);
            out.put("InvoiceDate", inv.date());
            out.put("RandomNumber", inv.randomNumber);
            return out;
        }
    }

    private boolean relateTaken(String relate) {
        String key = SandboxLedger.lower(relate);
        return byRelate.containsKey(key) || stagedByRelate.containsKey(key);
    }

    private ObjectNode duplicateRelate(String relate) {
        ledger.count("duplicate:" + merchantId + ":" + SandboxLedger.lower(relate));
        ObjectNode out = rtn(5070357, "B2C開立發票 自訂編號重覆，請重新設定");
        out.put("InvoiceNo", "");
        out.put("InvoiceDate", "");
        out.put("RandomNumber", "");
        return out;
    }

    /** Takes the next number of the first enabled track that has one: an {@link Invoice}, or an error reply. */
    private Object allocate(String relate, String tsr, ObjectNode data, Instant now) {
        Track chosen = null;
        boolean anyEnabled = false;
        for (Track t : tracks.values()) {
            if (t.status == 2) {
                anyEnabled = true;
                if (t.hasNumbers()) {
                    chosen = t;
                    break;
                }
            }
        }
        if (chosen == null) {
            return rtn(SandboxCodes.NO_TRACK_NUMBERS, anyEnabled
                    ? "字軌號碼已用完，請新增字軌並啟用" : "無已啟用的字軌，請先設定字軌狀態為啟用");
        }
        Invoice inv = new Invoice(relate, chosen.allocate(), now, String.format("%04d", random4.getAsInt()),
                chosen.trackId, tsr, data.deepCopy());
        byRelate.put(SandboxLedger.lower(relate), inv);
        byNumber.put(inv.invoiceNo, inv);
        ledger.count(SandboxLedger.issuedKey(merchantId, relate));
        ledger.count("issued-total");
        ledger.count("issued-total:" + merchantId);
        return inv;
    }

    // ---------------------------------------------------------------- delayed issuing

    ObjectNode delayIssue(ObjectNode data, Instant now) {
        String tsr = data.path("Tsr").asText();
        String relate = data.path("RelateNumber").asText();
        int flag = data.path("DelayFlag").asInt();
        int days = data.path("DelayDay").asInt(); // 1-15 for DelayFlag 1: the catalog's rule delay-day-automatic
        synchronized (this) {
            issueDue(now);
            if (byTsr.containsKey(tsr)) {
                return rtn(4000002, "交易單號重覆，請重新設定 (Tsr " + tsr + ")");
            }
            if (relateTaken(relate)) {
                return duplicateRelate(relate);
            }
            Staged s = new Staged(tsr, data.deepCopy(), flag, days, String.format("%s%08d", "SBX", orderSeq++));
            if (flag == 1) {
                s.state = StagedState.SCHEDULED;
                s.dueAt = now.plus(Duration.ofDays(days));
            } else {
                s.state = StagedState.STAGED;
            }
            byTsr.put(tsr, s);
            stagedByRelate.put(SandboxLedger.lower(relate), s);
            record(change().staged(s));
            ObjectNode out = rtn(1, "延遲開立成功");
            out.put("OrderNumber", s.orderNumber);
            return out;
        }
    }

    ObjectNode triggerIssue(ObjectNode data, Instant now) {
        String tsr = data.path("Tsr").asText();
        synchronized (this) {
            issueDue(now);
            Staged s = byTsr.get(tsr);
            if (s == null) {
                return tsrReply(4000001, "查無此交易單號 (Tsr " + tsr + ")", "");
            }
            if (s.state != StagedState.STAGED) {
                String why = s.delayFlag == 1 ? "此交易單號為自動延遲開立 (DelayFlag 1)，不需觸發"
                        : "此交易單號已觸發或已取消，不可重覆使用";
                return tsrReply(4000001, why + " (Tsr " + tsr + ")", "");
            }
            if (s.delayDay == 0) {
                Object result = allocate(s.data.path("RelateNumber").asText(), tsr, s.data, now);
                if (result instanceof ObjectNode error) {
                    return error; // stays STAGED: it can be triggered again once a track is enabled
                }
                s.state = StagedState.ISSUED;
                stagedByRelate.remove(SandboxLedger.lower(s.data.path("RelateNumber").asText()));
                record(change().issued((Invoice) result).staged(s));
                notifyIssued(s, (Invoice) result);
                return tsrReply(4000004, "開立發票成功", tsr);
            }
            s.state = StagedState.SCHEDULED;
            s.dueAt = now.plus(Duration.ofDays(s.delayDay));
            record(change().staged(s));
            return tsrReply(4000003, "延後開立成功", tsr);
        }
    }

    ObjectNode cancelDelayIssue(ObjectNode data, Instant now) {
        String tsr = data.path("Tsr").asText();
        synchronized (this) {
            issueDue(now);
            Staged s = byTsr.get(tsr);
            if (s == null || s.state == StagedState.CANCELLED) {
                return rtn(4000001, "查無此交易單號或已取消 (Tsr " + tsr + ")");
            }
            if (s.state == StagedState.ISSUED) {
                return rtn(SandboxCodes.ALREADY_ISSUED, "發票已開立，無法取消延遲開立 (Tsr " + tsr + ")");
            }
            s.state = StagedState.CANCELLED;
            record(change().staged(s));
            // a cancelled staging frees nothing: ECPay keeps RelateNumber and Tsr used
            return rtn(1, "取消開立發票成功");
        }
    }

    /** Issues the delayed invoices whose day has come (by the sandbox clock). Called with the lock held. */
    synchronized void issueDue(Instant now) {
        for (Staged s : byTsr.values()) {
            if (s.state == StagedState.SCHEDULED && !s.dueAt.isAfter(now)) {
                Object result = allocate(s.data.path("RelateNumber").asText(), s.tsr, s.data, s.dueAt);
                if (result instanceof Invoice inv) {
                    s.state = StagedState.ISSUED;
                    stagedByRelate.remove(SandboxLedger.lower(s.data.path("RelateNumber").asText()));
                    record(change().issued(inv).staged(s));
                    notifyIssued(s, inv);
                }
            }
        }
    }

    /**
     * DelayIssue's NotifyURL, once the delayed invoice is issued. ECPay publishes no field list for it: the sandbox
     * sends the staging's keys and the issued invoice's as the B2C 3.0 replies name them (docs/callbacks.md).
     */
    private void notifyIssued(Staged s, Invoice inv) {
        String url = s.data.path("NotifyURL").asText("").strip();
        if (url.isEmpty() || callbacks == null) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("MerchantID", merchantId);
        fields.put("RtnCode", "1");
        fields.put("RtnMsg", "開立發票成功");
        fields.put("Tsr", s.tsr);
        fields.put("RelateNumber", inv.relateNumber);
        fields.put("OrderNumber", s.orderNumber);
        fields.put("InvoiceNo", inv.invoiceNo);
        fields.put("InvoiceDate", inv.date());
        fields.put("RandomNumber", inv.randomNumber);
        callbacks.post(merchantId, EcpayCallback.Kind.DELAY_ISSUE.label(), url, fields);
    }

    synchronized Optional<String> tsrState(String tsr) {
        Staged s = byTsr.get(tsr);
        return s == null ? Optional.empty() : Optional.of(s.state.name());
    }

    private ObjectNode tsrReply(int code, String msg, String tsr) {
        ObjectNode out = rtn(code, msg);
        out.put("Tsr", tsr);
        return out;
    }

    // ---------------------------------------------------------------- voiding and queries

    ObjectNode invalid(ObjectNode data, Instant now) {
        String number = data.path("InvoiceNo").asText();
        String date = data.path("InvoiceDate").asText();
        synchronized (this) {
            issueDue(now);
            Invoice inv = byNumberAndDate(number, date);
            if (inv == null) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料 (InvoiceNo " + number + ", InvoiceDate " + date + ")");
            }
            if (inv.invalidAt != null) {
                ObjectNode out = rtn(5070453, "該張發票已作廢，不可重覆作廢");
                out.put("InvoiceNo", inv.invoiceNo);
                return out;
            }
            if (hasAllowances(inv)) {
                return rtn(SandboxCodes.HAS_ALLOWANCES, "該張發票已折讓，請先作廢折讓單再作廢發票 (InvoiceNo " + inv.invoiceNo + ")");
            }
            inv.invalidAt = now;
            inv.invalidReason = data.path("Reason").asText();
            record(change().invoice(inv));
            ObjectNode out = rtn(1, "作廢發票成功");
            out.put("InvoiceNo", inv.invoiceNo);
            return out;
        }
    }

    ObjectNode getIssue(ObjectNode data, Instant now) {
        String relate = data.path("RelateNumber").asText("");
        synchronized (this) {
            issueDue(now);
            Invoice inv = !relate.isEmpty() ? byRelate.get(SandboxLedger.lower(relate))
                    : byNumberAndDate(data.path("InvoiceNo").asText(), data.path("InvoiceDate").asText());
            if (inv == null) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料");
            }
            return issueDetails(inv);
        }
    }

    ObjectNode getInvalid(ObjectNode data, Instant now) {
        synchronized (this) {
            issueDue(now);
            Invoice inv = byNumberAndDate(data.path("InvoiceNo").asText(), data.path("InvoiceDate").asText());
            if (inv == null || !SandboxLedger.lower(inv.relateNumber).equals(SandboxLedger.lower(data.path("RelateNumber").asText()))) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料");
            }
            if (inv.invalidAt == null) {
                return rtn(SandboxCodes.NOT_INVALID, "查無作廢發票資料：該張發票未作廢");
            }
            ObjectNode out = rtn(1, "查詢成功");
            out.put("ChannelPartner", "");
            out.put("IIS_Mer_ID", merchantId);
            out.put("II_Invoice_No", inv.invoiceNo);
            out.put("II_Date", DATE_TIME.format(inv.invalidAt));
            out.put("II_Upload_Status", "0");
            out.put("II_Upload_Date", "");
            out.put("Reason", inv.invalidReason);
            out.put("II_Seller_Identifier", "");
            out.put("II_Buyer_Identifier", buyerIdentifier(inv.data));
            return out;
        }
    }

    private Invoice byNumberAndDate(String number, String date) {
        Invoice inv = byNumber.get(number == null ? "" : number.strip().toUpperCase(java.util.Locale.ROOT));
        if (inv == null || date == null || !inv.date().startsWith(date.strip().replace('/', '-'))) {
            return null;
        }
        return inv;
    }

    private static String buyerIdentifier(ObjectNode data) {
        String id = data.path("CustomerIdentifier").asText("");
        return id.isEmpty() ? "0000000000" : id;
    }

    /** GetIssue's reply, with ECPay's IIS_* field names. */
    private ObjectNode issueDetails(Invoice inv) {
        ObjectNode d = inv.data;
        ObjectNode out = rtn(1, "查詢成功");
        out.put("IIS_Mer_ID", merchantId);
        out.put("IIS_Number", inv.invoiceNo);
        out.put("IIS_Relate_Number", inv.relateNumber);
        out.put("IIS_Customer_ID", d.path("CustomerID").asText(""));
        out.put("IIS_Identifier", buyerIdentifier(d));
        out.put("IIS_Customer_Name", d.path("CustomerName").asText(""));
        out.put("IIS_Customer_Addr", d.path("CustomerAddr").asText(""));
        out.put("IIS_Customer_Phone", d.path("CustomerPhone").asText(""));
        out.put("IIS_Customer_Email", d.path("CustomerEmail").asText(""));
        out.put("IIS_Clearance_Mark", d.path("ClearanceMark").asText(""));
        out.put("IIS_Type", d.path("InvType").asText("07"));
        out.put("IIS_Category", d.path("CustomerIdentifier").asText("").isEmpty() ? "B2C" : "B2B");
        out.put("IIS_Tax_Type", d.path("TaxType").asText(""));
        out.put("IIS_Sales_Amount", d.path("SalesAmount").asLong());
        out.put("IIS_Carrier_Type", d.path("CarrierType").asText(""));
        out.put("IIS_Carrier_Num", d.path("CarrierNum").asText(""));
        out.put("IIS_Love_Code", d.path("LoveCode").asText(""));
        out.put("IIS_Create_Date", inv.date());
        out.put("IIS_Issue_Status", "1");
        out.put("IIS_Invalid_Status", inv.invalidAt == null ? "0" : "1");
        out.put("IIS_Upload_Status", "0");
        out.put("IIS_Print_Flag", d.path("Print").asText("0"));
        out.put("IIS_Award_Flag", "");
        out.put("IIS_Random_Number", inv.randomNumber);
        out.put("IIS_Remain_Allowance_Amt", inv.invalidAt == null ? remaining(inv) : 0);
        out.put("InvoiceRemark", d.path("InvoiceRemark").asText(""));
        ArrayNode items = out.putArray("Items");
        for (JsonNode item : d.path("Items")) {
            items.add(item.deepCopy());
        }
        return out;
    }

    // ---------------------------------------------------------------- editing, reissuing, listing, notifying, printing

    /**
     * EditDelayIssue: a staging not issued yet takes the new Data (its DelayFlag, DelayDay, PayType and PayAct stay);
     * an unknown or cancelled Tsr is 4000001, an issued one 4000006.
     */
    ObjectNode editDelayIssue(ObjectNode data, Instant now) {
        String tsr = data.path("Tsr").asText();
        synchronized (this) {
            issueDue(now);
            Staged s = byTsr.get(tsr);
            if (s == null || s.state == StagedState.CANCELLED) {
                return rtn(4000001, "不存在此交易單號 (Tsr " + tsr + ")");
            }
            if (s.state == StagedState.ISSUED) {
                return rtn(SandboxCodes.ALREADY_ISSUED, "發票已開立，無法編輯延遲開立 (Tsr " + tsr + ")");
            }
            String oldRelate = SandboxLedger.lower(s.data.path("RelateNumber").asText());
            String newRelate = SandboxLedger.lower(data.path("RelateNumber").asText());
            if (!newRelate.equals(oldRelate) && relateTaken(data.path("RelateNumber").asText())) {
                return duplicateRelate(data.path("RelateNumber").asText());
            }
            ObjectNode edited = data.deepCopy();
            for (String kept : new String[] {"DelayFlag", "DelayDay", "PayType", "PayAct"}) {
                edited.set(kept, s.data.get(kept));
            }
            if (!edited.hasNonNull("NotifyURL") && s.data.hasNonNull("NotifyURL")) {
                edited.set("NotifyURL", s.data.get("NotifyURL"));
            }
            stagedByRelate.remove(oldRelate);
            stagedByRelate.put(newRelate, s);
            s.data = edited;
            record(change().staged(s));
            ObjectNode out = rtn(1, "編輯延遲開立發票成功");
            out.put("OrderNumber", s.orderNumber);
            return out;
        }
    }

    /**
     * VoidWithReIssue: the invoice is voided and issued again with the IssueModel's content; its number, RelateNumber and
     * time stay and only the random number changes (paid-tw, live stage), so IssueModel must name the same RelateNumber and
     * issue time. A reissued invoice cannot be reissued again before it is uploaded (a day here).
     */
    ObjectNode voidWithReIssue(ObjectNode data, Instant now) {
        JsonNode voidModel = data.path("VoidModel");
        ObjectNode issueModel = (ObjectNode) data.path("IssueModel");
        String number = voidModel.path("InvoiceNo").asText().strip().toUpperCase(java.util.Locale.ROOT);
        synchronized (this) {
            issueDue(now);
            Invoice inv = byNumber.get(number);
            if (inv == null) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料 (InvoiceNo " + number + ")");
            }
            if (inv.invalidAt != null) {
                return rtn(5070453, "該張發票已作廢，不可註銷重開 (InvoiceNo " + number + ")");
            }
            if (hasAllowances(inv)) {
                return rtn(SandboxCodes.HAS_ALLOWANCES, "該張發票已折讓，不可註銷重開 (InvoiceNo " + number + ")");
            }
            if (!SandboxLedger.lower(issueModel.path("RelateNumber").asText()).equals(SandboxLedger.lower(inv.relateNumber))
                    || !issueModel.path("InvoiceDate").asText().strip().equals(inv.date())) {
                return rtn(SandboxCodes.REISSUE_CHANGES_KEY, "註銷重開不可更改自訂編號及開立時間 (RelateNumber " + inv.relateNumber
                        + ", InvoiceDate " + inv.date() + ")");
            }
            if (inv.reissuedAt != null && now.isBefore(inv.reissuedAt.plus(Duration.ofDays(1)))) {
                return rtn(SandboxCodes.REISSUE_NOT_UPLOADED, "發票尚未上傳財政部，暫無法再次註銷重開 (InvoiceNo " + number + ")");
            }
            ObjectNode content = issueModel.deepCopy();
            content.remove("InvoiceDate");
            content.put("MerchantID", merchantId);
            inv.data = content;
            inv.randomNumber = String.format("%04d", random4.getAsInt());
            inv.reissuedAt = now;
            inv.invalidReason = voidModel.path("VoidReason").asText();
            ledger.count("reissued:" + merchantId + ":" + number);
            record(change().invoice(inv));
            ObjectNode out = rtn(1, "開立發票成功");
            out.put("InvoiceNo", inv.invoiceNo);
            out.put("InvoiceDate", inv.date());
            out.put("RandomNumber", inv.randomNumber);
            return out;
        }
    }

    /**
     * GetIssueList: the invoices issued from BeginDate to EndDate (Taipei dates, both included), newest first, one page of
     * NumPerPage. The Query_* filters are taken but not applied: their values are not published in the sources read.
     */
    ObjectNode issueList(ObjectNode data, Instant now) {
        String begin = data.path("BeginDate").asText().replace('/', '-');
        String end = data.path("EndDate").asText().replace('/', '-');
        int perPage = data.path("NumPerPage").asInt();
        int page = data.path("ShowingPage").asInt();
        synchronized (this) {
            issueDue(now);
            List<Invoice> found = new ArrayList<>();
            for (Invoice inv : byNumber.values()) {
                String day = inv.date().substring(0, 10);
                if (day.compareTo(begin) >= 0 && day.compareTo(end) <= 0) {
                    found.add(inv);
                }
            }
            found.sort((a, b) -> b.issuedAt.compareTo(a.issuedAt) != 0 ? b.issuedAt.compareTo(a.issuedAt)
                    : b.invoiceNo.compareTo(a.invoiceNo));
            ObjectNode out = rtn(1, "查詢成功");
            out.put("TotalCount", found.size());
            out.put("ShowingPage", page);
            ArrayNode rows = out.putArray("InvoiceData");
            for (int i = (page - 1) * perPage; i < Math.min(found.size(), page * perPage); i++) {
                Invoice inv = found.get(i);
                ObjectNode row = rows.addObject();
                row.put("IIS_Number", inv.invoiceNo);
                row.put("IIS_Relate_Number", inv.relateNumber);
                row.put("IIS_Identifier", buyerIdentifier(inv.data));
                row.put("IIS_Category", inv.data.path("CustomerIdentifier").asText("").isEmpty() ? "B2C" : "B2B");
                row.put("IIS_Tax_Type", inv.data.path("TaxType").asText(""));
                row.put("IIS_Tax_Amount", inv.data.path("TaxAmount").asLong(0));
                row.put("IIS_Sales_Amount", inv.data.path("SalesAmount").asLong());
                row.put("IIS_Create_Date", inv.date());
                row.put("IIS_Invalid_Status", inv.invalidAt == null ? "0" : "1");
                row.put("IIS_Upload_Status", "0");
                row.put("IIS_Remain_Allowance_Amt", inv.invalidAt == null ? remaining(inv) : 0);
            }
            return out;
        }
    }

    /**
     * InvoiceNotify: the invoice (and for InvoiceTag A, AI and OA its allowance) must be there in the state the tag names;
     * the sandbox sends nothing (neither does ECPay's stage) and counts it for tests. AW: no invoice of the sandbox wins.
     */
    ObjectNode invoiceNotify(ObjectNode data) {
        String number = data.path("InvoiceNo").asText().strip().toUpperCase(java.util.Locale.ROOT);
        String tag = data.path("InvoiceTag").asText();
        synchronized (this) {
            Invoice inv = byNumber.get(number);
            if (inv == null) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料 (InvoiceNo " + number + ")");
            }
            String refused = switch (tag) {
                case "II" -> inv.invalidAt == null ? "發票未作廢" : null;
                case "AW" -> "查無中獎資料";
                case "A", "AI", "OA" -> {
                    Allowance a = allowances.get(data.path("AllowanceNo").asText());
                    AllowanceState wanted = tag.equals("A") ? AllowanceState.ISSUED : tag.equals("AI") ? AllowanceState.VOID
                            : AllowanceState.PENDING;
                    yield a == null || !a.invoiceNo.equals(number) ? "查無折讓資料" : a.state != wanted ? "折讓單狀態不符" : null;
                }
                default -> null;
            };
            if (refused != null) {
                return rtn(SandboxCodes.NOTHING_TO_NOTIFY, refused + " (InvoiceNo " + number + ", InvoiceTag " + tag + ")");
            }
            ledger.count("notify:" + merchantId + ":" + number + ":" + tag);
            ObjectNode out = rtn(1, "發送通知成功");
            out.put("MerchantID", merchantId);
            return out;
        }
    }

    /**
     * InvoicePrint: a link to the invoice's print page, for an invoice that is printed (Print 1) or has a buyer's tax id;
     * a carrier or donated invoice is not printed (paid-tw, live stage). The B2B styles 4 and 5 need a tax id.
     */
    ObjectNode invoicePrint(ObjectNode data, String printBase) {
        synchronized (this) {
            Invoice inv = byNumberAndDate(data.path("InvoiceNo").asText(), data.path("InvoiceDate").asText().strip().substring(0, 10));
            boolean company = !taxId(inv).isEmpty();
            if (inv == null || (!"1".equals(inv.data.path("Print").asText()) && !company)) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無資料 (InvoiceNo " + data.path("InvoiceNo").asText() + ")");
            }
            int style = data.path("PrintStyle").asInt(1);
            if (style >= 4 && !company) {
                return rtn(SandboxCodes.VALUE_NOT_ALLOWED, "B2B 列印格式需有統一編號 (PrintStyle " + style + ")");
            }
            ObjectNode out = rtn(1, "成功");
            out.put("InvoiceHtml", printBase + "/print/" + inv.invoiceNo + "?style=" + style);
            return out;
        }
    }

    private static String taxId(Invoice inv) {
        return inv == null ? "" : inv.data.path("CustomerIdentifier").asText("");
    }

    /** The print page of an invoice (the sandbox's stand-in for ECPay's), or null when there is no such invoice. */
    synchronized String printPage(String invoiceNo) {
        Invoice inv = byNumber.get(invoiceNo);
        if (inv == null) {
            return null;
        }
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"zh-TW\"><head><meta charset=\"utf-8\"><title>電子發票證明聯 ")
                .append(inv.invoiceNo).append("</title></head><body><h1>電子發票證明聯</h1><p>")
                .append(inv.invoiceNo.substring(0, 2)).append('-').append(inv.invoiceNo.substring(2)).append("</p><p>")
                .append(inv.date()).append("</p><p>隨機碼 ").append(inv.randomNumber).append("</p><p>總計 ")
                .append(inv.data.path("SalesAmount").asLong()).append("</p>")
                .append(inv.invalidAt == null ? "" : "<p>已作廢</p>").append("</body></html>");
        return html.toString();
    }

    // ---------------------------------------------------------------- allowances (折讓)

    /** What can still be allowed on an invoice: its SalesAmount less its issued and pending allowances. */
    private long remaining(Invoice inv) {
        long taken = allowances.values().stream().filter(a -> a.invoiceNo.equals(inv.invoiceNo) && a.takesAmount())
                .mapToLong(Allowance::amount).sum();
        return inv.data.path("SalesAmount").asLong() - taken;
    }

    private boolean hasAllowances(Invoice inv) {
        return allowances.values().stream().anyMatch(a -> a.invoiceNo.equals(inv.invoiceNo) && a.takesAmount());
    }

    /**
     * Allowance (online false: issued at once) and AllowanceByCollegiate (online: PENDING until the buyer agrees, its
     * amount held meanwhile). Refused for an unknown or voided invoice and beyond what is left of the invoice.
     */
    ObjectNode allowance(ObjectNode data, Instant now, boolean online) {
        String number = data.path("InvoiceNo").asText();
        String date = data.path("InvoiceDate").asText();
        long amount = data.path("AllowanceAmount").asLong();
        synchronized (this) {
            issueDue(now);
            Invoice inv = byNumberAndDate(number, date);
            if (inv == null) {
                return rtn(SandboxCodes.INVOICE_NOT_FOUND, "查無發票資料 (InvoiceNo " + number + ", InvoiceDate " + date + ")");
            }
            if (inv.invalidAt != null) {
                return rtn(SandboxCodes.ALLOWANCE_ON_VOID, "該張發票已作廢，不可折讓 (InvoiceNo " + inv.invoiceNo + ")");
            }
            long left = remaining(inv);
            if (amount > left) {
                return rtn(SandboxCodes.ALLOWANCE_OVER_REMAINING, "折讓金額 " + amount + " 超過發票可折讓金額 " + left
                        + " (InvoiceNo " + inv.invoiceNo + ")");
            }
            String allowanceNo = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(TAIPEI).format(now)
                    + String.format("%08d", allowanceSeq++);
            Allowance a = new Allowance(allowanceNo, inv.invoiceNo, now, data.deepCopy(), online);
            a.state = online ? AllowanceState.PENDING : AllowanceState.ISSUED;
            allowances.put(allowanceNo, a);
            record(change().allowance(a));
            ObjectNode out = rtn(1, online ? "線上折讓開立成功，待買受人同意" : "開立折讓成功");
            out.put("IA_Allow_No", allowanceNo);
            out.put("IA_Invoice_No", inv.invoiceNo);
            if (online) {
                out.put("IA_TempDate", DATE_TIME.format(now));
                out.put("IA_TempExpireDate", DATE_TIME.format(now.plus(Duration.ofHours(72))));
            } else {
                out.put("IA_Date", DATE_TIME.format(now));
            }
            out.put("IA_Remain_Allowance_Amt", remaining(inv));
            return out;
        }
    }

    /** The buyer agrees to an online allowance (a test control: ECPay learns it from the buyer's click). */
    synchronized boolean agree(String allowanceNo, Instant now) {
        Allowance a = allowances.get(allowanceNo);
        if (a == null || a.state != AllowanceState.PENDING) {
            return false;
        }
        a.state = AllowanceState.ISSUED;
        a.changedAt = now;
        record(change().allowance(a));
        notifyAgreed(a, now);
        return true;
    }

    /**
     * AllowanceByCollegiate's ReturnURL once the buyer agreed, with the fields ECPay's B2C guide lists for it
     * (ECPay/ECPay-API-Skill guides/04-invoice-b2c.md, from ECPay's B2C e-invoice API document): no MerchantID.
     */
    private void notifyAgreed(Allowance a, Instant now) {
        String url = a.data.path("ReturnURL").asText("").strip();
        if (url.isEmpty() || callbacks == null) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("RtnCode", "1");
        fields.put("RtnMsg", "買受人已同意折讓");
        fields.put("IA_Allow_No", a.allowanceNo);
        fields.put("IA_Invoice_No", a.invoiceNo);
        fields.put("IA_Date", DATE_TIME.format(now));
        Invoice inv = byNumber.get(a.invoiceNo);
        fields.put("IIS_Remain_Allowance_Amt", inv == null ? "0" : Long.toString(remaining(inv)));
        callbacks.post(merchantId, EcpayCallback.Kind.ALLOWANCE_BY_COLLEGIATE.label(), url, fields);
    }

    /** AllowanceInvalid: an issued allowance is voided and gives its amount back; an online one not agreed yet is cancelled instead. */
    ObjectNode allowanceInvalid(ObjectNode data, Instant now) {
        synchronized (this) {
            Allowance a = allowance(data);
            if (a == null || a.state == AllowanceState.CANCELLED) {
                return rtn(SandboxCodes.ALLOWANCE_NOT_FOUND, "查無此折讓單 (AllowanceNo " + data.path("AllowanceNo").asText() + ")");
            }
            if (a.state == AllowanceState.VOID) {
                return rtn(SandboxCodes.ALLOWANCE_ALREADY_VOID, "該折讓單已作廢過 (AllowanceNo " + a.allowanceNo + ")");
            }
            if (a.state == AllowanceState.PENDING) {
                return rtn(SandboxCodes.ALLOWANCE_PENDING, "線上折讓尚未經買受人同意，請使用取消線上折讓 (AllowanceNo " + a.allowanceNo + ")");
            }
            a.state = AllowanceState.VOID;
            a.changedAt = now;
            a.reason = data.path("Reason").asText();
            record(change().allowance(a));
            ObjectNode out = rtn(1, "作廢折讓成功");
            out.put("IA_Invoice_No", a.invoiceNo);
            return out;
        }
    }

    /** AllowanceInvalidByCollegiate: an online allowance not agreed yet is cancelled; one agreed to is refused (5070250). */
    ObjectNode allowanceCancel(ObjectNode data, Instant now) {
        synchronized (this) {
            Allowance a = allowance(data);
            if (a == null) {
                return rtn(SandboxCodes.ALLOWANCE_NOT_FOUND, "查無此折讓單 (AllowanceNo " + data.path("AllowanceNo").asText() + ")");
            }
            if (!a.online) {
                return rtn(SandboxCodes.ALLOWANCE_NOT_ONLINE, "此折讓單非線上折讓，請使用作廢折讓 (AllowanceNo " + a.allowanceNo + ")");
            }
            if (a.state == AllowanceState.ISSUED || a.state == AllowanceState.VOID) {
                return rtn(SandboxCodes.ONLINE_ALLOWANCE_AGREED, "無法取消已經同意的線上折讓單 (AllowanceNo " + a.allowanceNo + ")");
            }
            if (a.state == AllowanceState.CANCELLED) {
                return rtn(SandboxCodes.ALLOWANCE_ALREADY_CANCELLED, "此線上折讓單已取消 (AllowanceNo " + a.allowanceNo + ")");
            }
            a.state = AllowanceState.CANCELLED;
            a.changedAt = now;
            a.reason = data.path("Reason").asText();
            record(change().allowance(a));
            ObjectNode out = rtn(1, "取消線上折讓成功");
            out.put("IA_Invoice_No", a.invoiceNo);
            return out;
        }
    }

    /** The allowance named by AllowanceNo, if it belongs to the InvoiceNo given. Called with the lock held. */
    private Allowance allowance(ObjectNode data) {
        Allowance a = allowances.get(data.path("AllowanceNo").asText());
        return a != null && a.invoiceNo.equals(data.path("InvoiceNo").asText().strip().toUpperCase(java.util.Locale.ROOT)) ? a : null;
    }

    /**
     * GetAllowanceList: by AllowanceNo (SearchType 0), or an invoice's allowances by its issue date (1) or the allowance's
     * date (2). Online allowances the buyer has not agreed to are not shown (7928), nor cancelled ones; voided ones are,
     * with IA_Invalid_Status 1.
     */
    ObjectNode allowanceList(ObjectNode data, Instant now) {
        String type = data.path("SearchType").asText();
        String number = data.path("InvoiceNo").asText("").strip().toUpperCase(java.util.Locale.ROOT);
        String date = data.path("Date").asText("").strip().replace('/', '-');
        synchronized (this) {
            issueDue(now);
            ObjectNode out = rtn(1, "查詢成功");
            ArrayNode list = out.putArray("AllowanceInfo");
            for (Allowance a : allowances.values()) {
                if (a.state == AllowanceState.PENDING || a.state == AllowanceState.CANCELLED) {
                    continue;
                }
                Invoice inv = byNumber.get(a.invoiceNo);
                boolean match = switch (type) {
                    case "0" -> a.allowanceNo.equals(data.path("AllowanceNo").asText());
                    case "1" -> a.invoiceNo.equals(number) && inv.date().startsWith(date);
                    default -> a.invoiceNo.equals(number) && DATE_TIME.format(allowedAt(a)).startsWith(date);
                };
                if (match) {
                    list.add(allowanceDetails(a, inv));
                }
            }
            return out;
        }
    }

    /** When an allowance took effect: when made, or when the buyer agreed to an online one. */
    private static Instant allowedAt(Allowance a) {
        return a.online && a.changedAt != null ? a.changedAt : a.createdAt;
    }

    private ObjectNode allowanceDetails(Allowance a, Invoice inv) {
        ObjectNode d = a.data;
        long total = a.amount();
        String taxType = inv.data.path("TaxType").asText("1");
        // the tax included in a taxable amount at 5%, as ECPay splits it
        long tax = "1".equals(taxType) ? total - Math.round(total / 1.05) : 0;
        ObjectNode row = JSON.createObjectNode();
        row.put("IA_Allow_No", a.allowanceNo);
        row.put("IA_Invoice_No", a.invoiceNo);
        row.put("IA_Date", DATE_TIME.format(allowedAt(a)));
        row.put("IA_Invoice_Issue_Date", inv.date());
        row.put("IA_Identifier", buyerIdentifier(inv.data));
        row.put("IA_Invalid_Status", a.state == AllowanceState.VOID ? "1" : "0");
        row.put("IA_Upload_Status", "0");
        row.put("IA_Tax_Type", taxType);
        row.put("IA_Tax_Amount", tax);
        row.put("IA_Total_Amount", total - tax);
        row.put("IA_Total_Tax_Amount", total);
        row.put("IA_Send_Mail", d.path("NotifyMail").asText(""));
        row.put("IA_Send_Phone", d.path("NotifyPhone").asText(""));
        row.put("IIS_Customer_Name", d.path("CustomerName").asText(""));
        ArrayNode items = row.putArray("Items");
        for (JsonNode item : d.path("Items")) {
            items.add(item.deepCopy());
        }
        return row;
    }

    /** GetAllowanceInvalid: a voided allowance's details. */
    ObjectNode allowanceInvalidDetails(ObjectNode data) {
        synchronized (this) {
            Allowance a = allowance(data);
            if (a == null || a.state != AllowanceState.VOID) {
                return rtn(SandboxCodes.NOT_INVALID, "查無作廢折讓資料 (AllowanceNo " + data.path("AllowanceNo").asText() + ")");
            }
            ObjectNode out = rtn(1, "查詢成功");
            out.put("AI_Allow_No", a.allowanceNo);
            out.put("AI_Invoice_No", a.invoiceNo);
            out.put("AI_Allow_Date", DATE_TIME.format(allowedAt(a)));
            out.put("AI_Date", DATE_TIME.format(a.changedAt));
            out.put("Reason", a.reason);
            out.put("AI_Upload_Status", "0");
            out.put("AI_Upload_Date", "");
            out.put("AI_Seller_Identifier", "");
            out.put("AI_Buyer_Identifier", buyerIdentifier(byNumber.get(a.invoiceNo).data));
            return out;
        }
    }

    synchronized Optional<SandboxAllowance> allowanceSnapshot(String allowanceNo) {
        Allowance a = allowances.get(allowanceNo);
        return a == null ? Optional.empty()
                : Optional.of(new SandboxAllowance(merchantId, a.allowanceNo, a.invoiceNo, a.amount(), a.online, a.state.name(), a.reason));
    }

    synchronized Optional<Long> remainingAllowance(String invoiceNo) {
        Invoice inv = byNumber.get(invoiceNo);
        return inv == null ? Optional.empty() : Optional.of(remaining(inv));
    }

    synchronized Optional<SandboxInvoice> invoiceByRelateNumber(String relate) {
        Invoice inv = byRelate.get(SandboxLedger.lower(relate));
        return inv == null ? Optional.empty() : Optional.of(snapshot(inv));
    }

    synchronized List<SandboxInvoice> invoices() {
        List<SandboxInvoice> out = new ArrayList<>();
        byNumber.values().forEach(inv -> out.add(snapshot(inv)));
        return out;
    }

    private SandboxInvoice snapshot(Invoice inv) {
        return new SandboxInvoice(merchantId, inv.relateNumber, inv.invoiceNo, inv.date(), inv.randomNumber,
                inv.data.path("SalesAmount").asLong(), inv.trackId, inv.tsr, inv.invalidAt != null, inv.invalidReason,
                inv.invalidAt == null ? null : DATE_TIME.format(inv.invalidAt));
    }

    // ---------------------------------------------------------------- state on disk

    /** One change: the tracks, invoices and stagings as they are after it (replayed in order, last one wins). */
    private final class Change {
        final ObjectNode node = JSON.createObjectNode().put("merchant", merchantId);

        Change track(Track t) {
            ObjectNode n = array("tracks").addObject();
            n.put("id", t.trackId).put("header", t.header).put("start", t.start).put("end", t.end).put("next", t.next)
                    .put("status", t.status).put("year", t.year).put("term", t.term).put("invType", t.invType);
            node.put("trackSeq", trackSeq);
            return this;
        }

        /** An invoice just issued, with the track whose number it took. */
        Change issued(Invoice inv) {
            return track(tracks.get(inv.trackId)).invoice(inv);
        }

        Change invoice(Invoice inv) {
            ObjectNode n = array("invoices").addObject();
            n.put("relateNumber", inv.relateNumber).put("invoiceNo", inv.invoiceNo).put("issuedAt", inv.issuedAt.toString())
                    .put("randomNumber", inv.randomNumber).put("trackId", inv.trackId).put("tsr", inv.tsr);
            n.set("data", inv.data);
            if (inv.invalidAt != null) {
                n.put("invalidAt", inv.invalidAt.toString()).put("invalidReason", inv.invalidReason);
            }
            if (inv.reissuedAt != null) {
                n.put("reissuedAt", inv.reissuedAt.toString());
            }
            return this;
        }

        Change allowance(Allowance a) {
            ObjectNode n = array("allowances").addObject();
            n.put("allowanceNo", a.allowanceNo).put("invoiceNo", a.invoiceNo).put("createdAt", a.createdAt.toString())
                    .put("online", a.online).put("state", a.state.name())
                    .put("changedAt", a.changedAt == null ? null : a.changedAt.toString()).put("reason", a.reason);
            n.set("data", a.data);
            node.put("allowanceSeq", allowanceSeq);
            return this;
        }

        Change staged(Staged s) {
            ObjectNode n = array("staged").addObject();
            n.put("tsr", s.tsr).put("delayFlag", s.delayFlag).put("delayDay", s.delayDay).put("orderNumber", s.orderNumber)
                    .put("state", s.state.name()).put("dueAt", s.dueAt == null ? null : s.dueAt.toString());
            n.set("data", s.data);
            node.put("orderSeq", orderSeq);
            return this;
        }

        private ArrayNode array(String name) {
            return node.has(name) ? (ArrayNode) node.get(name) : node.putArray(name);
        }
    }

    private Change change() {
        return new Change();
    }

    /** Called with the book's lock held, before the reply that reports the change is sent. */
    private void record(Change c) {
        changes.accept(c.node);
    }

    /** The whole book as one change: what the state file is compacted to. */
    synchronized ObjectNode snapshot() {
        Change c = change();
        tracks.values().forEach(c::track);
        byNumber.values().forEach(c::invoice);
        byTsr.values().forEach(c::staged);
        allowances.values().forEach(c::allowance);
        c.node.put("orderSeq", orderSeq);
        c.node.put("allowanceSeq", allowanceSeq);
        c.node.put("trackSeq", trackSeq);
        c.node.setAll(b2b.snapshot());
        return c.node;
    }

    /** Applies one recorded change (a state file line), without recording it again. */
    synchronized void restore(JsonNode change) {
        for (JsonNode t : change.path("tracks")) {
            Track track = new Track(t.path("id").asText(), t.path("header").asText(), t.path("start").asLong(), t.path("end").asLong(),
                    t.path("status").asInt(), t.path("year").asText(""), t.path("term").asInt(0), t.path("invType").asText("07"));
            track.next = t.path("next").asLong(track.start);
            tracks.put(track.trackId, track);
        }
        for (JsonNode i : change.path("invoices")) {
            Invoice inv = new Invoice(i.path("relateNumber").asText(), i.path("invoiceNo").asText(), Instant.parse(i.path("issuedAt").asText()),
                    i.path("randomNumber").asText(), i.path("trackId").asText(), i.hasNonNull("tsr") ? i.get("tsr").asText() : null,
                    (ObjectNode) i.path("data"));
            if (i.hasNonNull("invalidAt")) {
                inv.invalidAt = Instant.parse(i.get("invalidAt").asText());
                inv.invalidReason = i.path("invalidReason").asText();
            }
            if (i.hasNonNull("reissuedAt")) {
                inv.reissuedAt = Instant.parse(i.get("reissuedAt").asText());
            }
            byRelate.put(SandboxLedger.lower(inv.relateNumber), inv);
            byNumber.put(inv.invoiceNo, inv);
        }
        for (JsonNode n : change.path("staged")) {
            Staged s = new Staged(n.path("tsr").asText(), (ObjectNode) n.path("data"), n.path("delayFlag").asInt(),
                    n.path("delayDay").asInt(), n.path("orderNumber").asText());
            s.state = StagedState.valueOf(n.path("state").asText());
            s.dueAt = n.hasNonNull("dueAt") ? Instant.parse(n.get("dueAt").asText()) : null;
            byTsr.put(s.tsr, s);
            String relate = SandboxLedger.lower(s.data.path("RelateNumber").asText());
            if (s.state == StagedState.STAGED || s.state == StagedState.SCHEDULED) {
                stagedByRelate.put(relate, s);
            } else {
                stagedByRelate.remove(relate);
            }
        }
        if (change.has("orderSeq")) {
            orderSeq = Math.max(orderSeq, change.get("orderSeq").asLong());
        }
        for (JsonNode n : change.path("allowances")) {
            Allowance a = new Allowance(n.path("allowanceNo").asText(), n.path("invoiceNo").asText(), Instant.parse(n.path("createdAt").asText()),
                    (ObjectNode) n.path("data"), n.path("online").asBoolean());
            a.state = AllowanceState.valueOf(n.path("state").asText());
            a.changedAt = n.hasNonNull("changedAt") ? Instant.parse(n.get("changedAt").asText()) : null;
            a.reason = n.hasNonNull("reason") ? n.get("reason").asText() : null;
            allowances.put(a.allowanceNo, a);
        }
        if (change.has("allowanceSeq")) {
            allowanceSeq = Math.max(allowanceSeq, change.get("allowanceSeq").asLong());
        }
        if (change.has("trackSeq")) {
            trackSeq = Math.max(trackSeq, change.get("trackSeq").asLong());
        }
        b2b.restore(change);
    }

    static ObjectNode rtn(int code, String msg) {
        ObjectNode out = JSON.createObjectNode();
        out.put("RtnCode", code);
        out.put("RtnMsg", msg);
        return out;
    }
}
