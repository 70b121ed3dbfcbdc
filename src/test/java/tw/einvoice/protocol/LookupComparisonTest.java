package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison behind adopting (or refusing) what ECPay holds under a command's key. */
class LookupComparisonTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Operation.Adopt ISSUE = OperationCatalog.standard().get("B2CInvoice/Issue").adoptWith();

    static final String COMMAND = """
        {"RelateNumber":"A1","SalesAmount":100,"CustomerEmail":"buyer@example.com","CustomerIdentifier":"",
         "Items":[{"ItemName":"tea","ItemCount":2,"ItemPrice":50,"ItemAmount":100}]}""";
    // as GetIssue answers: other names, numbers as text or with decimals, a buyer id of zeros for "none"
    static final String SAME_AT_ECPAY = """
        {"IIS_Number":"AB12345678","IIS_Sales_Amount":"100","IIS_Customer_Email":"buyer@example.com",
         "IIS_Identifier":"0000000000","Items":[{"ItemName":"tea","ItemCount":"2","ItemPrice":50.0,"ItemAmount":100}]}""";

    @Test
    void theSameContentUnderOtherNamesAndNumberFormatsAgrees() throws Exception {
        assertEquals(List.of(), LookupComparison.differences(ISSUE, json(COMMAND), json(SAME_AT_ECPAY)));
    }

    @Test
    void eachDifferingFieldIsNamedWithBothValues() throws Exception {
        String other = SAME_AT_ECPAY.replace("\"IIS_Sales_Amount\":\"100\"", "\"IIS_Sales_Amount\":\"90\"")
                .replace("buyer@example.com", "other@example.com").replace("\"ItemCount\":\"2\"", "\"ItemCount\":\"1\"");
        assertEquals(List.of("SalesAmount 100 here, 90 at ECPay", "CustomerEmail buyer@example.com here, other@example.com at ECPay",
                "Items[1].ItemCount 2 here, 1 at ECPay"), LookupComparison.differences(ISSUE, json(COMMAND), json(other)));
    }

    @Test
    void anotherNumberOfItemsDiffers() throws Exception {
        String two = SAME_AT_ECPAY.replace("}]}", "},{\"ItemName\":\"cup\",\"ItemCount\":1,\"ItemPrice\":0,\"ItemAmount\":0}]}");
        assertEquals(List.of("Items: 1 here, 2 at ECPay"), LookupComparison.differences(ISSUE, json(COMMAND), json(two)));
    }

    @Test
    void whatTheLookupDoesNotShowCannotContradict() throws Exception {
        assertEquals(List.of(), LookupComparison.differences(ISSUE, json(COMMAND), json("{\"IIS_Number\":\"AB12345678\"}")));
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }
}
