package tw.einvoice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tw.einvoice.testing.TestDatabases;

/** The console's HTTP rules without a server: lockout after wrong passwords, language choice, static files, headers. */
class ConsoleHttpTest {

    static ConsoleHttp.Request post(String path, String body, Map<String, String> headers) {
        return new ConsoleHttp.Request("POST", path, n -> null, headers::get, body);
    }

    static ConsoleHttp.Request get(String path, Map<String, String> params, Map<String, String> headers) {
        return new ConsoleHttp.Request("GET", path, params::get, headers::get, null);
    }

    @Test
    void fiveWrongPasswordsLockTheNameForAMinuteEvenForTheRightPassword() {
        try (HikariDataSource ds = TestDatabases.H2.fresh(2)) {
            ConsoleHttp console = new ConsoleHttp();
            console.setDataSource(ds);
            console.setUsers("mei:operator:" + ConsoleUsers.hash("the-right-password".toCharArray()));
            for (int i = 0; i < 5; i++) {
                assertEquals(401, console.handle(post("/console/api/login", "{\"user\":\"mei\",\"password\":\"wrong-" + i + "\"}", Map.of())).status());
            }
            ConsoleHttp.Response locked = console.handle(post("/console/api/login", "{\"user\":\"mei\",\"password\":\"the-right-password\"}", Map.of()));
            assertEquals(429, locked.status());
            ConsoleHttp console2 = new ConsoleHttp();
            console2.setDataSource(ds);
            console2.setUsers("mei:operator:" + ConsoleUsers.hash("the-right-password".toCharArray()));
            ConsoleHttp.Response ok = console2.handle(post("/console/api/login", "{\"user\":\"mei\",\"password\":\"the-right-password\"}", Map.of()));
            assertEquals(200, ok.status());
            assertTrue(ok.headers().get("Set-Cookie").contains("HttpOnly; SameSite=Strict"), ok.headers().toString());
        }
    }

    @Test
    void languageFromQueryCookieOrAcceptLanguage() {
        assertEquals("zh-TW", ConsoleHttp.language(get("/console/", Map.of(), Map.of("Accept-Language", "zh-TW,zh;q=0.9,en;q=0.8"))));
        assertEquals("en", ConsoleHttp.language(get("/console/", Map.of(), Map.of("Accept-Language", "fr-FR,en;q=0.5,zh;q=0.1"))));
        assertEquals("en", ConsoleHttp.language(get("/console/", Map.of(), Map.of("Accept-Language", "zh-TW",
                "Cookie", "a=b; einvoice_console_lang=en"))));
        assertEquals("zh-TW", ConsoleHttp.language(get("/console/", Map.of("lang", "zh-TW"), Map.of("Cookie", "einvoice_console_lang=en"))));
        assertEquals("en", ConsoleHttp.language(get("/console/", Map.of(), Map.of("Accept-Language", "not a ;; range"))));
    }

    @Test
    void pagesAndStaticFilesCarryTheSecurityHeadersAndNoUserMeansNoLogin() {
        ConsoleHttp console = new ConsoleHttp();
        ConsoleHttp.Response login = console.handle(get("/console/login", Map.of(), Map.of("Accept-Language", "zh-TW")));
        assertEquals(200, login.status());
        assertTrue(new String(login.body(), StandardCharsets.UTF_8).contains("<html lang=\"zh-TW\">"));
        assertEquals("DENY", login.headers().get("X-Frame-Options"));
        assertTrue(login.headers().get("Content-Security-Policy").contains("frame-ancestors 'none'"));
        assertEquals(200, console.handle(get("/console/static/echarts.min.js", Map.of(), Map.of())).status());
        assertEquals(404, console.handle(get("/console/static/../index.html", Map.of(), Map.of())).status());
        assertEquals(303, console.handle(get("/console/", Map.of(), Map.of())).status(), "no session: to the login page");
        assertEquals(503, console.handle(post("/console/api/login", "{\"user\":\"a\",\"password\":\"b\"}", Map.of())).status(),
                "no users configured: nobody logs in");
    }
}
