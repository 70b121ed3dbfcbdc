package tw.einvoice.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * The fixed public data the sandbox answers the check operations from (CheckBarcode, CheckLoveCode,
 * GetCompanyNameByTaxID): a few registered mobile barcodes and love codes, and tax ids checked with the Ministry of
 * Finance's check digit. The names are the sandbox's own, not real organisations' records.
 */
final class SandboxDirectory {

    /** Registered mobile barcodes: the one of ECPay's PHP example and those of the project's examples. */
    static final Set<String> BARCODES = Set.of("/1234567", "/ABC+123", "/ABC1234", "/A.B-+90");
    /** Registered love codes and the organisation each belongs to. */
    static final Map<String, String> LOVE_CODES = Map.of(
            "168001", "沙盒愛心基金會 168001",
            "8585", "沙盒社會福利協會 8585",
            "25885", "沙盒兒童福利聯盟 25885");
    /** Tax ids the public data names (others with a valid check digit answer 7, no data). */
    static final Map<String, String> COMPANIES = Map.of(
            "97025978", "綠界科技股份有限公司",
            "53212539", "沙盒測試股份有限公司");

    /** ECPay's code for a tax id whose check digit is wrong (paid-tw live stage). */
    static final int TAX_ID_CHECKSUM = 1200125;
    /** ECPay's "no data" code (paid-tw live stage, GetCompanyNameByTaxID and GetGovInvoiceWordSetting). */
    static final int NO_DATA = 7;

    private SandboxDirectory() {
    }

    static ObjectNode checkBarcode(ObjectNode data) {
        ObjectNode out = MerchantBook.rtn(1, "執行成功");
        out.put("IsExist", BARCODES.contains(data.path("BarCode").asText()) ? "Y" : "N");
        return out;
    }

    static ObjectNode checkLoveCode(ObjectNode data) {
        String organ = LOVE_CODES.get(data.path("LoveCode").asText());
        ObjectNode out = MerchantBook.rtn(1, "執行成功");
        out.put("IsExist", organ == null ? "N" : "Y");
        out.put("OrganName", organ == null ? "" : organ);
        return out;
    }

    static ObjectNode companyName(ObjectNode data) {
        String id = data.path("UnifiedBusinessNo").asText();
        if (!validTaxId(id)) {
            return MerchantBook.rtn(TAX_ID_CHECKSUM, "統一編號檢查碼驗證失敗，請再確認");
        }
        String name = COMPANIES.get(id);
        if (name == null) {
            return MerchantBook.rtn(NO_DATA, "查無資料");
        }
        ObjectNode out = MerchantBook.rtn(1, "執行成功");
        out.put("CompanyName", name);
        return out;
    }

    /**
     * The Ministry of Finance's check: digits weighted 1,2,1,2,1,2,4,1, the digits of each product added up; the sum is a
     * multiple of 5 (10 before 2023, which 5 includes). When the seventh digit is 7, its product 28 may count as 1 instead of 10.
     */
    static boolean validTaxId(String id) {
        if (id == null || !id.matches("[0-9]{8}")) {
            return false;
        }
        int[] weights = {1, 2, 1, 2, 1, 2, 4, 1};
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            int p = (id.charAt(i) - '0') * weights[i];
            sum += p / 10 + p % 10;
        }
        return sum % 5 == 0 || (id.charAt(6) == '7' && (sum - 9) % 5 == 0);
    }
}
