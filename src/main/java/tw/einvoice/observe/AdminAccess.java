package tw.einvoice.observe;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import io.vertx.ext.web.handler.BasicAuthHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP basic authentication in front of every path under {@code /admin/} of the main job's HTTP server (the Camel
 * platform-http routes mounted there included), checked against the one operator login configured
 * ({@code management.admin.user} / {@code .password}). No login configured: every {@code /admin/} request is refused
 * (403), never open. {@code GET /admin/whoami} answers the logged-in user's name.
 */
final class AdminAccess implements AuthenticationProvider {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAccess.class);
    static final String REFUSED = "admin endpoints are off: no login configured (set MANAGEMENT_ADMIN_USER and MANAGEMENT_ADMIN_PASSWORD)";

    private final String user;
    private final byte[] password;

    AdminAccess(String user, String password) {
        this.user = user == null ? "" : user.strip();
        this.password = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
    }

    boolean configured() {
        return !user.isEmpty() && password.length > 0;
    }

    /** Mounts the check first on the router, before any route of the application's own. */
    void install(VertxPlatformHttpRouter router, String realm) {
        if (!configured()) {
            LOG.warn("{}: every request under /admin/ is refused", REFUSED);
            router.route("/admin/*").order(-1000).handler(ctx -> ctx.response().setStatusCode(403)
                    .putHeader("Content-Type", "text/plain; charset=utf-8").end(REFUSED + "\n"));
            return;
        }
        router.route("/admin/*").order(-1000).handler(BasicAuthHandler.create(this, realm));
        router.route(HttpMethod.GET, "/admin/whoami").order(-999).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("user", ctx.user().principal().getString("username")).encode()));
        LOG.info("admin endpoints under /admin/ need the login of user {}", user);
    }

    @Override
    public void authenticate(Credentials credentials, Handler<AsyncResult<User>> resultHandler) {
        resultHandler.handle(authenticate(credentials));
    }

    @Override
    public Future<User> authenticate(Credentials credentials) {
        if (credentials instanceof UsernamePasswordCredentials up && configured()) {
            byte[] given = String.valueOf(up.getPassword()).getBytes(StandardCharsets.UTF_8);
            // both compared in full, in constant time: the answer's timing says nothing about how much was right
            boolean userOk = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
                    String.valueOf(up.getUsername()).getBytes(StandardCharsets.UTF_8));
            boolean passwordOk = MessageDigest.isEqual(password, given);
            if (userOk & passwordOk) {
                return Future.succeededFuture(User.fromName(user));
            }
        }
        return Future.failedFuture("wrong user or password");
    }

    @Override
    public void authenticate(JsonObject credentials, Handler<AsyncResult<User>> resultHandler) {
        authenticate(new UsernamePasswordCredentials(credentials), resultHandler);
    }
}
