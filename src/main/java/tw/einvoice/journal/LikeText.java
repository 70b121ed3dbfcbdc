package tw.einvoice.journal;

/** Text searched with SQL LIKE ... ESCAPE '!': the same on H2, PostgreSQL and MariaDB. */
public final class LikeText {

    private LikeText() {
    }

    /** {@code text} with the LIKE wildcards and the escape character taken literally. */
    public static String escaped(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
