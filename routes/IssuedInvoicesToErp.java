// Docs: docs/java-dsl.md
// The success channel into an ERP table, written in the Java DSL: compiled when the job starts, so an integration team
// edits it like a YAML route, without a rebuild. Off until the success channel points at it:
//   ECPAY_CHANNEL_SUCCESS=direct:issued-invoices-to-erp   (table: examples/erp-issued-invoices/schema.sql)
// Every success message goes on to {{erp.issued.then}} (the success folder by default); an issued invoice
// (a reply with an InvoiceNo) is first written to erp_issued_invoice. The channel delivers at least once, so the row
// is keyed by the command id and a second delivery of the same message changes nothing. A failure here fails the
// delivery: the journal publishes the message again later (ecpay.channel.redeliver-after).
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.dataformat.JsonLibrary;
import org.springframework.dao.DuplicateKeyException;

public class IssuedInvoicesToErp extends RouteBuilder {

    private static final String SQL_OPTIONS = "?dataSource=#{{erp.issued.datasource}}";

    @Override
    public void configure() {
        from("direct:issued-invoices-to-erp").routeId("issued-invoices-to-erp")
            .setProperty("message", body())
            .unmarshal().json(JsonLibrary.Jackson)
            .filter(simple("${body[reply]} != null && ${body[reply][InvoiceNo]} != null"))
                .setHeader("commandId", simple("${body[id]}"))
                .setHeader("merchantId", simple("${body[merchantId]}"))
                .setHeader("operation", simple("${body[operation]}"))
                .setHeader("relateNumber", simple("${body[data][RelateNumber]}"))
                .setHeader("invoiceNo", simple("${body[reply][InvoiceNo]}"))
                .setHeader("invoiceDate", simple("${body[reply][InvoiceDate]}"))
                .setHeader("randomNumber", simple("${body[reply][RandomNumber]}"))
                .setHeader("completedAt", simple("${body[completedAt]}"))
                .to("sql:SELECT COUNT(*) FROM erp_issued_invoice WHERE command_id = :#commandId" + SQL_OPTIONS
                        + "&outputType=SelectOne&outputHeader=known")
                .filter(header("known").isEqualTo(0))
                    .doTry()
                        .to("sql:INSERT INTO erp_issued_invoice (command_id, merchant_id, operation, relate_number,"
                                + " invoice_no, invoice_date, random_number, completed_at) VALUES (:#commandId,"
                                + " :#merchantId, :#operation, :#relateNumber, :#invoiceNo, :#invoiceDate,"
                                + " :#randomNumber, :#completedAt)" + SQL_OPTIONS)
                        .log("${header.commandId}: invoice ${header.invoiceNo} written to erp_issued_invoice")
                    .doCatch(DuplicateKeyException.class)
                        // another instance wrote it between the count and the insert: same message, same row
                        .log("${header.commandId}: already in erp_issued_invoice")
                    .end()
                .end()
            .end()
            .removeHeaders("commandId|merchantId|operation|relateNumber|invoice*|randomNumber|completedAt|known")
            .setBody(exchangeProperty("message"))
            .to("{{erp.issued.then}}");
    }
}
