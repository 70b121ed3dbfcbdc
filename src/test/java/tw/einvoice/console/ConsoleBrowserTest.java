package tw.einvoice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tw.einvoice.testing.MainJobProcess;
import tw.einvoice.testing.TestDatabases;

/**
 * The console in a real browser (headless Debian chromium) against the main job in a JVM of its own on the embedded
 * sandbox: a drop with good, invalid and dead-ending lines (one Remark holding a script) goes through; an operator logs
 * in, watches the batch reach 100%, finds a command with the keyboard, reads its attempts, re-drives a dead command,
 * switches the language; a viewer sees no action and is refused on POST; a POST without the CSRF token or from another
 * site is refused. The users are set as docs/console.md shows (a user list of PBKDF2 hashes). Screenshots:
 * target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final Path WORK = Path.of("target/console-browser").toAbsolutePath();
    static final Path SHOTS = Path.of("target/console-screenshots").toAbsolutePath();
    static final String OPERATOR_PASSWORD = "operator-password-1";
    static final String VIEWER_PASSWORD = "viewer-password-12";
    static MainJobProcess job;
    static String base;
    static WebDriver browser;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
        if (!present) {
            if (TestDatabases.underCi()) {
                throw new IllegalStateException("CI=true: the console browser test needs chromium and chromium-driver "
                        + "(apt-get install -y chromium chromium-driver)");
            }
            Assumptions.abort("chromium or chromedriver missing (apt-get install -y chromium chromium-driver): console browser test skipped");
        }
        deleteTree(WORK);
        Files.createDirectories(WORK.resolve("inbox"));
        Files.createDirectories(SHOTS);
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sandbox.port", "0");
        s.put("sandbox.state-dir", WORK.resolve("sandbox").toString());
        s.put("journal.url", "jdbc:h2:file:" + WORK.resolve("journal/ecpay"));
        s.put("intake.sql.inbox.enabled", "false");
        s.put("intake.file.inbox", WORK.resolve("inbox").toString());
        s.put("intake.file.archive-dir", WORK.resolve("archive").toString());
        s.put("intake.file.poll-ms", "200");
        s.put("intake.file.read-lock-check-ms", "200");
        s.put("intake.file.quiet-ms", "300");
        s.put("intake.results.period-ms", "300");
        s.put("ecpay.dispatch.poll-interval", "100");
        s.put("ecpay.dispatch.initial-delay", "0");
        s.put("ecpay.channel.success", "file:" + WORK.resolve("outbox/success") + "?tempPrefix=.writing-");
        s.put("ecpay.channel.dead-letter", "file:" + WORK.resolve("outbox/dead-letter") + "?tempPrefix=.writing-");
        s.put("camel.server.port", Integer.toString(port));
        s.put("console.users", "ops:operator:" + ConsoleUsers.hash(OPERATOR_PASSWORD.toCharArray())
                + ",view:viewer:" + ConsoleUsers.hash(VIEWER_PASSWORD.toCharArray()));
        job = MainJobProcess.start(WORK.resolve("logs"), "console", s);
        await("the console answers", 120, () -> {
            try {
                return get("/console/login", null).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        Files.writeString(WORK.resolve("inbox/console-drop.jsonl.part"), drop(), StandardCharsets.UTF_8);
        Files.move(WORK.resolve("inbox/console-drop.jsonl.part"), WORK.resolve("inbox/console-drop.jsonl"), StandardCopyOption.ATOMIC_MOVE);

        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US");
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-US,en"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).build(), options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (job != null) {
            job.close();
        }
    }

    static String drop() {
        return String.join("\n",
                "{\"id\":\"CON-OK-1\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"CONREL0001\",\"CustomerEmail\":\"a@example.com\","
                        + "\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":100,\"InvType\":\"07\","
                        + "\"InvoiceRemark\":\"<script>window.pwned=1</script><img src=x onerror=window.pwned=2>\","
                        + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":100,\"ItemTaxType\":\"1\",\"ItemAmount\":100}]}}",
                "{\"id\":\"CON-OK-2\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"CONREL0002\",\"CustomerEmail\":\"b@example.com\","
                        + "\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":50,\"InvType\":\"07\","
                        + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"cup\",\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":50,\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}}",
                "{\"id\":\"CON-BAD-1\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"CONBAD001\",\"Print\":\"0\",\"Donation\":\"0\","
                        + "\"TaxType\":\"1\",\"SalesAmount\":100,\"InvType\":\"07\",\"Items\":[]}}",
                "{\"id\":\"CON-DEAD-1\",\"operation\":\"B2CInvoice/Invalid\",\"data\":{\"InvoiceNo\":\"ZZ99999999\",\"InvoiceDate\":\"2026-11-30\","
                        + "\"Reason\":\"wrong buyer\"}}") + "\n";
    }

    @Test
    @Order(1)
    void operatorLogsInAndSeesTheBatchReach100Percent() throws Exception {
        browser.get(base + "/console/");
        waitFor("the login page", () -> browser.getCurrentUrl().endsWith("/console/login"));
        assertEquals("en", browser.findElement(By.tagName("html")).getAttribute("lang"));
        shot("01-login");
        login("ops", OPERATOR_PASSWORD);
        waitFor("the overview", () -> !browser.findElements(By.id("alerts")).isEmpty());
        browser.get(base + "/console/#/batches");
        waitFor("the batch at 100%", () -> browser.findElements(By.cssSelector("#batches progress")).stream()
                .anyMatch(p -> "100".equals(p.getAttribute("value"))));
        String row = browser.findElement(By.id("batches")).getText();
        assertTrue(row.contains("console-drop.jsonl"), row);
        assertTrue(row.contains("succeeded 2") && row.contains("dead 1") && row.contains("rejected 1"), row);
        shot("02-batches");
        // the rejects file, served read-only from the archive folder
        WebElement rejects = browser.findElements(By.cssSelector("#batches a.file")).stream()
                .filter(a -> a.getText().contains(".rejects.")).findFirst().orElseThrow();
        String rejectsText = (String) js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0]).then(r => r.text()).then(done)", rejects.getAttribute("href"));
        assertTrue(rejectsText.contains("CON-BAD-1"), rejectsText);
        // a path outside the archive folders is not served
        HttpResponse<String> outside = get("/console/api/file?source=x&name=../../pom.xml", cookie());
        assertEquals(404, outside.statusCode());

        browser.get(base + "/console/#/overview");
        waitFor("the chart drawn", () -> !browser.findElements(By.cssSelector("#chart svg")).isEmpty());
        waitFor("today's counts", () -> browser.findElement(By.cssSelector(".cards")).getText().contains("SUCCEEDED"));
        shot("03-overview");
    }

    @Test
    @Order(2)
    void keyboardSearchFindsACommandByRelateNumberAndShowsItsAttemptsAndTheScriptAsText() throws Exception {
        browser.get(base + "/console/#/overview");
        waitFor("the overview", () -> !browser.findElements(By.id("alerts")).isEmpty());
        browser.findElement(By.tagName("body")).click();
        WebElement active = null;
        for (int i = 0; i < 30; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            active = browser.switchTo().activeElement();
            if ("search-q".equals(active.getAttribute("id"))) {
                break;
            }
        }
        assertEquals("search-q", active.getAttribute("id"), "the search box is reachable with Tab");
        active.sendKeys("CONREL0001", Keys.ENTER);
        waitFor("the search result", () -> !browser.findElements(By.cssSelector("#commands a")).isEmpty());
        List<WebElement> links = browser.findElements(By.cssSelector("#commands a"));
        assertEquals(1, links.size());
        assertEquals("CON-OK-1", links.get(0).getText());
        links.get(0).click();
        waitFor("the command page", () -> !browser.findElements(By.id("command-data")).isEmpty());
        String data = browser.findElement(By.id("command-data")).getText();
        assertTrue(data.contains("<script>window.pwned=1</script>"), "the Remark shown as text: " + data);
        assertTrue(data.contains("<img src=x onerror=window.pwned=2>"), data);
        assertEquals("undefined", js().executeScript("return typeof window.pwned"), "no script from the data ran");
        assertTrue(browser.findElements(By.cssSelector("#command-data script, #command-data img")).isEmpty());
        String attempts = browser.findElement(By.id("attempts")).getText();
        assertTrue(attempts.contains("開立發票成功") || attempts.contains("SUCCESS"), "ECPay's message as it is: " + attempts);
        String reply = browser.findElement(By.id("command-reply")).getText();
        assertTrue(reply.contains("InvoiceNo"), reply);
        shot("04-command");
    }

    @Test
    @Order(3)
    void operatorReDrivesADeadCommandWithConfirmation() throws Exception {
        browser.get(base + "/console/#/command/CON-DEAD-1");
        waitFor("the dead command", () -> !browser.findElements(By.cssSelector("button.redrive")).isEmpty());
        assertTrue(browser.findElement(By.id("attempts")).getText().contains("1600003"));
        assertEquals(Boolean.TRUE, js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/console/api/me').then(r => r.json()).then(m => done(m.redriveAvailable))"), "the job has direct:redrive");
        browser.findElement(By.cssSelector("button.redrive")).click();
        Alert confirm = new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            try {
                return d.switchTo().alert();
            } catch (NoAlertPresentException e) {
                return null;
            }
        });
        assertTrue(confirm.getText().startsWith("Re-drive 1 dead command"), "the dry run's count, confirmed: " + confirm.getText());
        confirm.accept();
        WebElement out = browser.findElement(By.cssSelector("output.redrive-result"));
        waitFor("the re-drive answer", () -> out.getText().startsWith("Re-drive requested: 1"));
        // recorded: the command's audit shows the re-drive with who made it
        browser.navigate().refresh();
        waitFor("the re-drive in the audit", () -> browser.findElement(By.id("attempts")).getText().contains("REDRIVE"));
        assertTrue(browser.findElement(By.id("attempts")).getText().contains("console:ops"), browser.findElement(By.id("attempts")).getText());
        shot("05-redrive");
    }

    @Test
    @Order(4)
    void postsWithoutCsrfTokenOrFromAnotherSiteAreRefused() throws Exception {
        Long noToken = (Long) js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/console/api/redrive', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({ids: ['CON-DEAD-1'], dryRun: true})}).then(r => done(r.status))");
        assertEquals(403L, noToken);
        String token = (String) js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/console/api/me').then(r => r.json()).then(m => done(m.csrf))");
        HttpResponse<String> crossSite = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/api/redrive"))
                .header("Cookie", cookie()).header("X-CSRF-Token", token).header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[\"CON-DEAD-1\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, crossSite.statusCode(), crossSite.body());
        HttpResponse<String> anonymous = get("/console/api/overview", null);
        assertEquals(401, anonymous.statusCode());
        HttpResponse<String> page = get("/console/login", null);
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertFalse(page.headers().firstValue("Content-Security-Policy").orElse("").contains("unsafe-inline"));
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        String me = get("/console/api/me", cookie()).body();
        assertFalse(me.contains(OPERATOR_PASSWORD) || me.contains("pbkdf2"), "no secret in the API: " + me);
    }

    @Test
    @Order(5)
    void languageSwitchesToTraditionalChinese() throws Exception {
        browser.get(base + "/console/#/overview");
        waitFor("the overview", () -> !browser.findElements(By.id("alerts")).isEmpty());
        browser.findElement(By.id("lang-zh")).click();
        waitFor("the Chinese page", () -> "zh-TW".equals(browser.findElement(By.tagName("html")).getAttribute("lang")));
        waitFor("Chinese labels", () -> browser.findElement(By.id("nav-overview")).getText().equals("總覽"));
        assertEquals("查詢指令（編號、RelateNumber、發票號碼、Tsr）", browser.findElement(By.cssSelector("label[for=search-q]")).getText());
        waitFor("the overview in Chinese", () -> !browser.findElements(By.id("alerts")).isEmpty());
        shot("06-overview-zh");
        browser.get(base + "/console/#/dead");
        waitFor("the dead letters in Chinese", () -> browser.findElement(By.id("view")).getText().contains("依原因分組的失敗指令"));
        assertTrue(browser.findElement(By.id("dead-groups")).getText().contains("查無發票資料"), "ECPay's message as it is");
        shot("07-dead-zh");
        browser.findElement(By.id("lang-en")).click();
        waitFor("English again", () -> "en".equals(browser.findElement(By.tagName("html")).getAttribute("lang")));
    }

    @Test
    @Order(6)
    void viewerSeesNoActionAndIsRefusedOnPost() throws Exception {
        browser.get(base + "/console/#/overview");
        waitFor("the overview", () -> !browser.findElements(By.id("logout")).isEmpty());
        browser.findElement(By.id("logout")).click();
        waitFor("the login page", () -> browser.getCurrentUrl().endsWith("/console/login"));
        login("view", "wrong-password-123");
        waitFor("the refusal", () -> !browser.findElement(By.id("login-error")).getText().isBlank());
        assertTrue(browser.getCurrentUrl().endsWith("/console/login"), "a wrong password does not log in");
        login("view", VIEWER_PASSWORD);
        waitFor("the overview", () -> !browser.findElements(By.id("alerts")).isEmpty());
        browser.get(base + "/console/#/dead");
        waitFor("the dead letters", () -> !browser.findElements(By.id("dead-commands")).isEmpty());
        assertTrue(browser.findElement(By.id("dead-commands")).getText().contains("CON-DEAD-1"));
        assertTrue(browser.findElements(By.cssSelector("button.redrive")).isEmpty(), "a viewer sees no action button");
        browser.get(base + "/console/#/command/CON-DEAD-1");
        waitFor("the command", () -> !browser.findElements(By.id("command-data")).isEmpty());
        assertTrue(browser.findElements(By.cssSelector("button.redrive")).isEmpty());
        assertFalse(browser.findElement(By.id("view")).getText().lines().anyMatch("null"::equals), "no stray text where a button would be");
        Long status = (Long) js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/console/api/me').then(r => r.json()).then(m => fetch('/console/api/redrive', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': m.csrf},"
                + " body: JSON.stringify({ids: ['CON-DEAD-1'], dryRun: true})})).then(r => done(r.status))");
        assertEquals(403L, status, "a viewer's POST with a valid token is refused by role");
        shot("08-viewer");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static void login(String user, String password) {
        WebElement name = browser.findElement(By.id("login-user"));
        name.clear();
        name.sendKeys(user);
        WebElement pass = browser.findElement(By.id("login-password"));
        pass.clear();
        pass.sendKeys(password, Keys.ENTER);
    }

    static String cookie() {
        var c = browser.manage().getCookieNamed(ConsoleHttp.SESSION_COOKIE);
        assertNotNull(c, "logged in");
        return c.getName() + "=" + c.getValue();
    }

    static JavascriptExecutor js() {
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return (JavascriptExecutor) browser;
    }

    static void shot(String name) throws IOException {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    static void waitFor(String what, BooleanSupplier condition) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(RuntimeException.class).until(d -> condition.getAsBoolean());
        } catch (RuntimeException e) {
            throw new AssertionError("waited 60 s for " + what + "; page: " + browser.getCurrentUrl() + "\n"
                    + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    static void await(String what, int seconds, BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end || !job.isAlive()) {
                throw new AssertionError("waited for " + what + "; job log:\n" + job.output());
            }
            Thread.sleep(200);
        }
    }

    static HttpResponse<String> get(String path, String cookie) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
