package tw.einvoice.journal;

import static tw.einvoice.journal.Journal.clip;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.EcpayCallback;
import tw.einvoice.protocol.OperationCatalog;

/** The {@code ecpay_callback} table behind {@link Journal#recordCallback} and {@link Journal#callbacks}. */
final class CallbackStore {

    private static final String COLUMNS = "id, received_at, kind, merchant_id, command_id, tsr, relate_number, invoice_no, "
            + "allowance_no, rtn_code, verified, refusal, fields, remote_address";

    private final DataSource dataSource;
    private final OperationCatalog catalog = OperationCatalog.standard();

    CallbackStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    CallbackRow record(EcpayCallback callback, String merchantId, boolean verified, String refusal, String remoteAddress,
            LocalDateTime now) {
        try (Connection c = dataSource.getConnection()) {
            // an unverified form names whatever it likes: it is never attached to a command
            String commandId = verified && merchantId != null ? match(c, callback, merchantId) : null;
            CallbackRow row = new CallbackRow(0, now, callback.kind().label(), clip(merchantId, 10), commandId,
                    clip(callback.tsr(), 30), clip(callback.relateNumber(), 50), clip(callback.invoiceNo(), 20),
                    clip(callback.allowanceNo(), 20), clip(callback.rtnCode(), 20), verified, clip(refusal, 200),
                    callback.fieldsJson(), clip(remoteAddress, 100));
            return insert(c, row);
        } catch (SQLException e) {
            throw new JournalException("cannot record the " + callback.kind().label() + " callback: " + e.getMessage(), e);
        }
    }

    private CallbackRow insert(Connection c, CallbackRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_callback (" + COLUMNS.substring(4) + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setObject(1, r.receivedAt());
            ps.setString(2, r.kind());
            ps.setString(3, r.merchantId());
            ps.setString(4, r.commandId());
            ps.setString(5, r.tsr());
            ps.setString(6, r.relateNumber());
            ps.setString(7, r.invoiceNo());
            ps.setString(8, r.allowanceNo());
            ps.setString(9, r.rtnCode());
            ps.setBoolean(10, r.verified());
            ps.setString(11, r.refusal());
            ps.setString(12, r.fields());
            ps.setString(13, r.remoteAddress());
            ps.executeUpdate();
            long id = 0;
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (keys.next()) {
                    id = keys.getLong(1);
                }
            }
            return new CallbackRow(id, r.receivedAt(), r.kind(), r.merchantId(), r.commandId(), r.tsr(), r.relateNumber(),
                    r.invoiceNo(), r.allowanceNo(), r.rtnCode(), r.verified(), r.refusal(), r.fields(), r.remoteAddress());
        }
    }

    /**
     * The command that asked for this callback. DelayIssue: by its default id (operation, merchant, Tsr), else by the
     * Tsr, else the RelateNumber in its Data. AllowanceByCollegiate: by the allowance number in its reply (IA_Allow_No),
     * else by nothing (the invoice alone may carry several allowances). The newest command wins if several match.
     */
    private String match(Connection c, EcpayCallback callback, String merchantId) throws SQLException {
        String operation = callback.kind().operation();
        if (callback.kind() == EcpayCallback.Kind.DELAY_ISSUE) {
            if (callback.tsr() != null) {
                var data = JsonNodeFactory.instance.objectNode().put("MerchantID", merchantId).put("Tsr", callback.tsr());
                String id = Command.businessKey(catalog.get(operation), data);
                if (exists(c, id, operation, merchantId)) {
                    return id;
                }
                String found = search(c, Journal.JsonColumn.PAYLOAD, operation, merchantId, "Tsr", callback.tsr());
                if (found != null) {
                    return found;
                }
            }
            return callback.relateNumber() == null ? null
                    : search(c, Journal.JsonColumn.PAYLOAD, operation, merchantId, "RelateNumber", callback.relateNumber());
        }
        return callback.allowanceNo() == null ? null
                : search(c, Journal.JsonColumn.REPLY, operation, merchantId, "IA_Allow_No", callback.allowanceNo());
    }

    private static boolean exists(Connection c, String id, String operation, String merchantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM ecpay_command WHERE id = ? AND operation = ? AND merchant_id = ?")) {
            ps.setString(1, id);
            ps.setString(2, operation);
            ps.setString(3, merchantId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The newest command of this operation and merchant whose JSON column holds {@code "field":"value"}. */
    private static String search(Connection c, Journal.JsonColumn column, String operation, String merchantId, String field,
                                 String value) throws SQLException {
        return Journal.holding(c, operation, merchantId, column, field, value, 1).stream().findFirst().map(CommandRow::id)
                .orElse(null);
    }

    List<CallbackRow> forCommand(String commandId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM ecpay_callback WHERE command_id = ? ORDER BY id")) {
            ps.setString(1, commandId);
            List<CallbackRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new CallbackRow(rs.getLong(1), rs.getObject(2, LocalDateTime.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getString(9), rs.getString(10), rs.getBoolean(11), rs.getString(12), rs.getString(13),
                            rs.getString(14)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new JournalException("cannot read the callbacks of command " + commandId + ": " + e.getMessage(), e);
        }
    }
}
