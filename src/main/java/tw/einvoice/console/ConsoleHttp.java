package tw.einvoice.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.protocol.SafeText;

/**
 * The operator console under {@code /console} (pages) and {@code /console/api} (JSON), on the main job's HTTP server
 * (routes/console.camel.yaml). Login with a session cookie (HttpOnly, SameSite=Strict); a CSRF token per session
 * checked on every POST; viewers read, operators also act; every response carries a Content-Security-Policy without
 * inline scripts and X-Frame-Options DENY. Pages are static (src/main/resources/console/) and render data with
 * textContent, so nothing from the journal is ever read as HTML.
 */
public final class ConsoleHttp implements Processor, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHttp.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SESSION_COOKIE = "einvoice_console";
    static final String LANG_COOKIE = "einvoice_console_lang";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Map<String, String> STATIC = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "echarts.min.js", "text/javascript; charset=utf-8");

    /** One request, independent of the HTTP server, so the rules can be read (and tested) in one place. */
    record Request(String method, String path, Function<String, String> param, Function<String, String> header, String body) {
    }

    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, Object value) {
            try {
                return new Response(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(value), new LinkedHashMap<>());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Response error(int status, String code, String message) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", code);
            body.put("message", message);
            return json(status, body);
        }

        Response with(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    private CamelContext camelContext;
    private DataSource dataSource;
    private Clock clock = Clock.systemUTC();
    private ConsoleUsers users = new ConsoleUsers("");
    private ConsoleSessions sessions;
    private ConsoleQueries queries;
    private Duration sessionIdle = Duration.ofMinutes(30);
    private Duration sessionMax = Duration.ofHours(12);
    private boolean secureCookie;
    private Set<Integer> alertTransCodes = Set.of(104, 110, 115);
    private Set<Integer> alertRtnCodes = Set.of(1100040);
    private Duration waitingAlert = Duration.ofHours(1);
    private List<String> sqlSources = List.of("ecpay_inbox");
    private List<Path> archiveDirs = List.of();
    private int chartHours = 6;
    private String redriveEndpoint = "direct:redrive";
    private volatile CachedOverview overview;
    /** Wrong passwords per user name: after MAX_FAILURES within a minute, that name is refused for a minute. */
    private final Map<String, Failures> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_FAILURES = 5;
    private static final long LOCKOUT_MS = 60_000;

    private record Failures(int count, long last) {
    }

    private record CachedOverview(long at, Map<String, Object> value) {
    }

    // ------------------------------------------------------------------------------------------ Camel adapter

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getIn();
        HttpServerRequest http = in instanceof HttpMessage hm ? hm.getRequest() : null;
        Request request;
        if (http != null) {
            // read from the HTTP request itself: Camel's headers mix query parameters with request headers
            String body = "POST".equals(http.method().name()) ? in.getBody(String.class) : null;
            request = new Request(http.method().name(), http.path(), http::getParam, http::getHeader, body);
        } else {
            String path = in.getHeader(Exchange.HTTP_PATH, String.class);
            request = new Request(in.getHeader(Exchange.HTTP_METHOD, "GET", String.class),
                    in.getHeader(Exchange.HTTP_URI, path, String.class), n -> null, n -> in.getHeader(n, String.class),
                    in.getBody(String.class));
        }
        Response response;
        try {
            response = handle(request);
        } catch (RuntimeException e) {
            LOG.warn("console: {} {} failed: {}", request.method(), SafeText.log(request.path()), SafeText.log(String.valueOf(e.getMessage())));
            response = Response.error(500, "internal", "the request failed; see the job's log");
        }
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, response.status());
        out.setHeader(Exchange.CONTENT_TYPE, response.contentType());
        response.headers().forEach(out::setHeader);
        out.setBody(response.body());
    }

    // ------------------------------------------------------------------------------------------ routing

    Response handle(Request r) {
        Response response = route(r);
        response.headers().putIfAbsent("Cache-Control", "no-store");
        response.headers().put("Content-Security-Policy", CSP);
        response.headers().put("X-Frame-Options", "DENY");
        response.headers().put("X-Content-Type-Options", "nosniff");
        response.headers().put("Referrer-Policy", "no-referrer");
        response.headers().put("Cross-Origin-Opener-Policy", "same-origin");
        return response;
    }

    private Response route(Request r) {
        String path = r.path() == null ? "/console" : r.path();
        String method = r.method().toUpperCase(Locale.ROOT);
        if (path.equals("/console")) {
            return redirect("/console/");
        }
        if (path.startsWith("/console/static/") && method.equals("GET")) {
            return staticFile(path.substring("/console/static/".length()));
        }
        Optional<ConsoleSessions.Session> session = sessions().find(cookie(r, SESSION_COOKIE));
        if (path.equals("/console/login") && method.equals("GET")) {
            return page("login.html", r);
        }
        if (path.equals("/console/") && method.equals("GET")) {
            return session.isPresent() ? page("index.html", r) : redirect("/console/login");
        }
        if (!path.startsWith("/console/api/")) {
            return Response.error(404, "not-found", "no such page");
        }
        String api = path.substring("/console/api/".length());
        if (method.equals("POST")) {
            if (!sameOrigin(r)) {
                return Response.error(403, "cross-origin", "requests from another site are refused");
            }
            if (api.equals("login")) {
                return login(r);
            }
            if (session.isEmpty()) {
                return Response.error(401, "login", "log in first");
            }
            if (!ConsoleSessions.csrfMatches(session.get(), r.header().apply(CSRF_HEADER))) {
                LOG.warn("console: POST {} by {} refused: no valid CSRF token", SafeText.log(api), session.get().user().name());
                return Response.error(403, "csrf", "the request carries no valid CSRF token; reload the page");
            }
            return switch (api) {
                case "logout" -> logout(session.get());
                case "redrive" -> redrive(session.get(), r);
                default -> Response.error(404, "not-found", "no such action");
            };
        }
        if (!method.equals("GET")) {
            return Response.error(405, "method", "GET or POST only").with("Allow", "GET, POST");
        }
        if (session.isEmpty()) {
            return Response.error(401, "login", "log in first");
        }
        return switch (api) {
            case "me" -> me(session.get(), r);
            case "overview" -> Response.json(200, overview());
            case "batches" -> Response.json(200, batches());
            case "commands" -> commands(r);
            case "command" -> command(r);
            case "dead" -> Response.json(200, queries().deadLetters());
            case "file" -> file(r);
            default -> Response.error(404, "not-found", "no such resource");
        };
    }

    // ------------------------------------------------------------------------------------------ login

    private Response login(Request r) {
        JsonNode body = readJson(r.body());
        String name = body.path("user").asText("");
        char[] password = body.path("password").asText("").toCharArray();
        if (users.isEmpty()) {
            return Response.error(503, "no-users", "no console users are configured (console.users); see docs/console.md");
        }
        long now = clock.millis();
        Failures f = failures.get(name);
        if (f != null && f.count() >= MAX_FAILURES && now - f.last() < LOCKOUT_MS) {
            Arrays.fill(password, '\0');
            LOG.warn("console: login for user '{}' refused: {} wrong passwords, locked for a minute", SafeText.log(name), f.count());
            return Response.error(429, "locked", "too many wrong passwords; try again in a minute");
        }
        Optional<ConsoleUsers.User> user = users.authenticate(name, password);
        Arrays.fill(password, '\0');
        if (user.isEmpty()) {
            if (failures.size() < 10_000) {
                failures.merge(name, new Failures(1, now), (a, b) -> new Failures(now - a.last() < LOCKOUT_MS ? a.count() + 1 : 1, now));
            }
            LOG.warn("console: login refused for user '{}'", SafeText.log(name));
            return Response.error(401, "credentials", "wrong user name or password");
        }
        failures.remove(name);
        ConsoleSessions.Session s = sessions().open(user.get());
        LOG.info("console: {} logged in ({})", s.user().name(), s.user().role().name().toLowerCase(Locale.ROOT));
        return Response.json(200, meBody(s, r)).with("Set-Cookie", SESSION_COOKIE + "=" + s.id()
                + "; Path=/console; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""));
    }

    private Response logout(ConsoleSessions.Session s) {
        sessions().close(s.id());
        return Response.json(200, Map.of("loggedOut", true)).with("Set-Cookie", SESSION_COOKIE
                + "=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""));
    }

    private Response me(ConsoleSessions.Session s, Request r) {
        return Response.json(200, meBody(s, r));
    }

    private Map<String, Object> meBody(ConsoleSessions.Session s, Request r) {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("user", s.user().name());
        me.put("role", s.user().role().name().toLowerCase(Locale.ROOT));
        me.put("canAct", s.user().role() == ConsoleUsers.Role.OPERATOR);
        me.put("csrf", s.csrfToken());
        me.put("lang", language(r));
        me.put("redriveAvailable", redriveAvailable());
        me.put("attemptAudit", queries().hasAttemptTable());
        return me;
    }

    // ------------------------------------------------------------------------------------------ reads

    private Map<String, Object> overview() {
        CachedOverview c = overview;
        long now = System.nanoTime();
        if (c == null || now - c.at() > 5_000_000_000L) {
            c = new CachedOverview(now, queries().overview(chartHours, alertTransCodes, alertRtnCodes, waitingAlert));
            overview = c;
        }
        return c.value();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> batches() {
        Map<String, Object> b = queries().batches(50, sqlSources);
        for (Map<String, Object> f : (List<Map<String, Object>>) b.get("files")) {
            Object archive = f.remove("archive_path");
            f.put("files", archive == null ? List.of() : batchFiles(Path.of((String) archive).toAbsolutePath().normalize())
                    .stream().map(p -> p.getFileName().toString()).toList());
        }
        return b;
    }

    private Response commands(Request r) {
        LocalDate day = null;
        String d = r.param().apply("day");
        if (d != null && !d.isBlank()) {
            try {
                day = LocalDate.parse(d.strip());
            } catch (DateTimeParseException e) {
                return Response.error(400, "day", "day must be a date like 2026-11-30");
            }
        }
        String state = r.param().apply("state");
        if (state != null && !state.isBlank() && !ConsoleQueries.STATES.contains(state.strip())) {
            return Response.error(400, "state", "state must be one of " + ConsoleQueries.STATES);
        }
        return Response.json(200, Map.of("commands", queries().searchCommands(r.param().apply("q"), state,
                r.param().apply("operation"), r.param().apply("merchant"), day, r.param().apply("source"), 200)));
    }

    private Response command(Request r) {
        String id = r.param().apply("id");
        Map<String, Object> c = id == null ? null : queries().command(id);
        return c == null ? Response.error(404, "not-found", "no command with this id") : Response.json(200, c);
    }

    /** A result or rejects file of a batch: only files beside the batch's archived drop, inside a configured archive folder. */
    private Response file(Request r) {
        String source = r.param().apply("source");
        String name = r.param().apply("name");
        Map<String, Object> batch = source == null ? null : queries().batch(source);
        if (batch == null || name == null) {
            return Response.error(404, "not-found", "no such batch");
        }
        Path archive = Path.of((String) batch.get("archive_path")).toAbsolutePath().normalize();
        Optional<Path> file = batchFiles(archive).stream().filter(p -> p.getFileName().toString().equals(name)).findFirst();
        if (file.isEmpty() || !underArchive(file.get())) {
            return Response.error(404, "not-found", "no such file for this batch");
        }
        try {
            byte[] bytes = Files.readAllBytes(file.get());
            return new Response(200, "text/plain; charset=utf-8", bytes, new LinkedHashMap<>())
                    .with("Content-Disposition", "inline; filename=\"" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
        } catch (IOException e) {
            return Response.error(404, "not-found", "the file cannot be read: " + e.getMessage());
        }
    }

    /** The result, rejects and progress files written beside an archived drop. */
    List<Path> batchFiles(Path archive) {
        List<Path> out = new ArrayList<>();
        Path dir = archive.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        String stem = tw.einvoice.intake.DropFormat.stem(archive.getFileName().toString());
        try (var files = Files.list(dir)) {
            files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(stem + ".") && !n.endsWith(".part") && !p.equals(archive)
                        && (n.contains(".result.") || n.contains(".rejects.") || n.contains(".progress."));
            }).sorted().forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private boolean underArchive(Path file) {
        try {
            Path real = file.toRealPath();
            for (Path dir : archiveDirs) {
                if (Files.isDirectory(dir) && real.startsWith(dir.toRealPath())) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ actions

    private boolean redriveAvailable() {
        return camelContext != null && camelContext.getRoutes().stream().anyMatch(route ->
                org.apache.camel.support.EndpointHelper.matchEndpoint(camelContext, route.getEndpoint().getEndpointUri(), redriveEndpoint));
    }

    /** Sends DEAD commands again through the re-drive route; only operators; what was done is logged and audited there. */
    private Response redrive(ConsoleSessions.Session s, Request r) {
        if (s.user().role() != ConsoleUsers.Role.OPERATOR) {
            LOG.warn("console: re-drive refused for {}: role viewer", s.user().name());
            return Response.error(403, "role", "only operators may re-drive");
        }
        if (!redriveAvailable()) {
            return Response.error(501, "not-available", "re-drive is not available in this version of the job");
        }
        JsonNode body = readJson(r.body());
        ObjectNode selection = JSON.createObjectNode();
        for (String key : List.of("ids", "transCodes", "rtnCodes", "reason", "source", "operation", "from", "to")) {
            if (body.has(key)) {
                selection.set(key, body.get(key));
            }
        }
        if (selection.isEmpty()) {
            return Response.error(400, "selection", "say which dead commands to re-drive");
        }
        boolean dryRun = body.path("dryRun").asBoolean(true);
        selection.put("dryRun", dryRun);
        selection.put("by", "console:" + s.user().name());
        try {
            ProducerTemplate template = camelContext.createProducerTemplate();
            try {
                // who and from where, for the re-drive's audit record
                Object answer = template.requestBodyAndHeaders(redriveEndpoint, JSON.writeValueAsString(selection),
                        Map.of(EcpayHeaders.REDRIVE_BY, "console:" + s.user().name(), EcpayHeaders.REDRIVE_VIA, "console"));
                String text = camelContext.getTypeConverter().convertTo(String.class, answer);
                LOG.info("console: {} {} re-drive {}: {}", s.user().name(), dryRun ? "previewed" : "made",
                        SafeText.log(selection.toString()), SafeText.log(String.valueOf(text)));
                JsonNode result = text == null ? JSON.nullNode() : readJsonOr(text);
                return Response.json(200, Map.of("dryRun", dryRun, "result", result));
            } finally {
                template.stop();
            }
        } catch (org.apache.camel.CamelExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Response.error(400, "redrive", String.valueOf(cause.getMessage()));
        } catch (Exception e) {
            return Response.error(500, "redrive", String.valueOf(e.getMessage()));
        }
    }

    // ------------------------------------------------------------------------------------------ pages and plumbing

    private Response page(String name, Request r) {
        byte[] bytes = resource(name);
        if (bytes == null) {
            return Response.error(404, "not-found", "no such page");
        }
        String lang = language(r);
        String html = new String(bytes, StandardCharsets.UTF_8).replace("__LANG__", lang);
        return new Response(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), new LinkedHashMap<>());
    }

    private Response staticFile(String name) {
        String type = STATIC.get(name);
        byte[] bytes = type == null ? null : name.equals("echarts.min.js")
                ? classpath("META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js") : resource(name);
        if (bytes == null) {
            return Response.error(404, "not-found", "no such file");
        }
        return new Response(200, type, bytes, new LinkedHashMap<>()).with("Cache-Control", "private, max-age=300");
    }

    private static byte[] resource(String name) {
        return classpath("console/" + name);
    }

    private static byte[] classpath(String path) {
        try (InputStream in = ConsoleHttp.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    /** zh-TW or en: the query's lang, else the language cookie, else the browser's Accept-Language. */
    static String language(Request r) {
        String chosen = r.param().apply("lang");
        if (chosen == null) {
            chosen = cookie(r, LANG_COOKIE);
        }
        if (chosen != null) {
            return chosen.toLowerCase(Locale.ROOT).startsWith("zh") ? "zh-TW" : "en";
        }
        String accept = r.header().apply("Accept-Language");
        if (accept != null) {
            try {
                List<Locale.LanguageRange> ranges = Locale.LanguageRange.parse(accept);
                for (Locale.LanguageRange range : ranges) {
                    String tag = range.getRange().toLowerCase(Locale.ROOT);
                    if (tag.startsWith("zh")) {
                        return "zh-TW";
                    }
                    if (tag.startsWith("en")) {
                        return "en";
                    }
                }
            } catch (IllegalArgumentException e) {
                return "en";
            }
        }
        return "en";
    }

    static String cookie(Request r, String name) {
        String header = r.header().apply("Cookie");
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
                return part.substring(eq + 1).strip();
            }
        }
        return null;
    }

    /** A POST must come from a page of this server: Origin (or Referer) naming the Host the request went to. */
    private static boolean sameOrigin(Request r) {
        String host = r.header().apply("Host");
        String origin = r.header().apply("Origin");
        if (origin == null) {
            origin = r.header().apply("Referer");
        }
        if (origin == null || host == null) {
            return origin == null; // no browser context (a script with the token): the CSRF token decides
        }
        String rest = origin.replaceFirst("^https?://", "");
        int slash = rest.indexOf('/');
        return (slash < 0 ? rest : rest.substring(0, slash)).equalsIgnoreCase(host);
    }

    private static Response redirect(String to) {
        return new Response(303, "text/plain; charset=utf-8", new byte[0], new LinkedHashMap<>()).with("Location", to);
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static JsonNode readJsonOr(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    private ConsoleSessions sessions() {
        if (sessions == null) {
            sessions = new ConsoleSessions(clock, sessionIdle, sessionMax);
        }
        return sessions;
    }

    private ConsoleQueries queries() {
        if (queries == null) {
            queries = new ConsoleQueries(dataSource, clock);
        }
        return queries;
    }

    /** Called once the properties are set: says in the log how to reach the console and whether anyone can log in. */
    public void announce() {
        if (users.isEmpty()) {
            LOG.warn("console: no users configured, nobody can log in. Set console.users (env CONSOLE_USERS) to "
                    + "name:viewer|operator:<hash>; make a hash with: java -cp target/classes tw.einvoice.console.ConsoleUsers (docs/console.md)");
        } else {
            LOG.info("console: {} user(s) configured; open /console/ on the management server", users.size());
        }
    }

    // ------------------------------------------------------------------------------------------ configuration

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public void setUsers(String spec) {
        this.users = new ConsoleUsers(spec);
    }

    public void setSessionIdle(String d) {
        this.sessionIdle = Duration.parse(d);
    }

    public void setSessionMax(String d) {
        this.sessionMax = Duration.parse(d);
    }

    public void setSecureCookie(boolean secureCookie) {
        this.secureCookie = secureCookie;
    }

    public void setAlertTransCodes(String codes) {
        this.alertTransCodes = ints(codes);
    }

    public void setAlertRtnCodes(String codes) {
        this.alertRtnCodes = ints(codes);
    }

    public void setWaitingAlert(String d) {
        this.waitingAlert = Duration.parse(d);
    }

    public void setSqlSources(String names) {
        this.sqlSources = texts(names);
    }

    public void setArchiveDirs(String dirs) {
        this.archiveDirs = texts(dirs).stream().map(d -> Path.of(d).toAbsolutePath().normalize()).toList();
    }

    public void setChartHours(int chartHours) {
        this.chartHours = chartHours;
    }

    public void setRedriveEndpoint(String redriveEndpoint) {
        this.redriveEndpoint = redriveEndpoint;
    }

    private static Set<Integer> ints(String csv) {
        Set<Integer> out = new LinkedHashSet<>();
        texts(csv).forEach(t -> out.add(Integer.parseInt(t)));
        return out;
    }

    private static List<String> texts(String csv) {
        List<String> out = new ArrayList<>();
        if (csv != null) {
            for (String t : csv.split(",")) {
                if (!t.isBlank()) {
                    out.add(t.strip());
                }
            }
        }
        return out;
    }
}
