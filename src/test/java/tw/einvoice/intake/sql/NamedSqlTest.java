package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamedSqlTest {

    @Test
    void namesBecomePlaceholdersButQuotesCastsAndCommentsStay() {
        NamedSql sql = NamedSql.of("-- mark :not_a_param\nUPDATE t SET s = 'a:b', j = :reply::jsonb, \"x:y\" = :Row_Key WHERE k = :row_key;\n");
        assertEquals("UPDATE t SET s = 'a:b', j = ?::jsonb, \"x:y\" = ? WHERE k = ?", sql.jdbcSql());
        assertEquals(List.of("reply", "row_key", "row_key"), sql.names());
    }

    @Test
    void aMissingFileIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamedSql.load("config/sql/nope.sql"));
        assertTrue(e.getMessage().contains("nope.sql") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void theShippedStatementsUseOnlyDocumentedParameters() {
        List<String> documented = List.of("row_key", "now", "reason", "command_id", "state", "rtn_code", "rtn_msg", "invoice_no", "reply");
        for (String f : List.of("config/sql/inbox-take.sql", "config/sql/inbox-reject.sql", "examples/erp-outbox/take.sql",
                "examples/erp-outbox/reject.sql", "examples/erp-outbox/result.sql")) {
            assertTrue(documented.containsAll(NamedSql.load(f).names()), f + ": " + NamedSql.load(f).names());
        }
    }
}
