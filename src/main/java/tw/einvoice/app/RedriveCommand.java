package tw.einvoice.app;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalDatabase;
import tw.einvoice.journal.Redrive;
import tw.einvoice.journal.RedriveSelection;
import tw.einvoice.protocol.SafeText;

/**
 * {@code bin/ecpay-redrive}: sends DEAD commands again, straight in the journal named by {@code config/} (the same
 * properties, profile and {@code key=value} overrides as the main job). The running dispatchers pick the commands up
 * on their next poll, so this works whether the job runs or not, and with any number of instances sharing the
 * journal; it needs no HTTP server, login or open port. (An embedded H2 journal is locked by the running job: use a
 * shared database, or the job's {@code direct:redrive} route.)
 */
public final class RedriveCommand {

    static final String USAGE = """
            usage: ecpay-redrive [--profile=NAME] [key=value ...] SELECTION [--dry-run] [--by NAME] [--json]
              SELECTION (criteria narrow each other; a list means any of its values; only DEAD commands are selected):
                --id ID[,ID...]            command ids
                --trans-code N[,N...]      last TransCode, e.g. 110 (wrong HashKey/HashIV, fixed since)
                --rtn-code N[,N...]        last RtnCode, e.g. 1100040 (no track numbers, a track added since)
                --reason TEXT              the last reason contains TEXT
                --source NAME              source file (as dropped or as archived) or table
                --operation OP             e.g. B2CInvoice/Issue
                --from TIME --to TIME      died in [from, to), UTC: 2026-11-30T08:00:00Z or 2026-11-30
                --all                      every DEAD command
                --limit N                  at most N commands, oldest deaths first (default 10000)
              --dry-run   show what would be re-driven; change nothing
              --by NAME   who re-drives, for the audit (default: the login name)
            """;

    private RedriveCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** @return the exit code: 0 done, 1 the journal failed, 2 a usage or configuration mistake */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> configArgs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Integer> transCodes = new ArrayList<>();
        List<Integer> rtnCodes = new ArrayList<>();
        String reason = null;
        String source = null;
        String operation = null;
        Instant from = null;
        Instant to = null;
        boolean all = false;
        boolean dryRun = false;
        boolean json = false;
        int limit = RedriveSelection.DEFAULT_LIMIT;
        String by = System.getProperty("user.name", "unknown");
        RedriveSelection selection;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--id" -> ids.addAll(list(value(args, ++i, a)));
                    case "--trans-code" -> transCodes.addAll(codes(value(args, ++i, a)));
                    case "--rtn-code" -> rtnCodes.addAll(codes(value(args, ++i, a)));
                    case "--reason" -> reason = value(args, ++i, a);
                    case "--source" -> source = value(args, ++i, a);
                    case "--operation" -> operation = value(args, ++i, a);
                    case "--from" -> from = RedriveSelection.parseInstant(value(args, ++i, a), "--from");
                    case "--to" -> to = RedriveSelection.parseInstant(value(args, ++i, a), "--to");
                    case "--limit" -> limit = Integer.parseInt(value(args, ++i, a));
                    case "--by" -> by = value(args, ++i, a);
                    case "--all" -> all = true;
                    case "--dry-run" -> dryRun = true;
                    case "--json" -> json = true;
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("--profile=") || (a.contains("=") && !a.startsWith("-"))) {
                            configArgs.add(a);
                        } else {
                            throw new IllegalArgumentException("unknown argument '" + a + "'");
                        }
                    }
                }
            }
            selection = new RedriveSelection(ids, transCodes, rtnCodes, reason, source, operation, from, to, all, limit);
        } catch (IllegalArgumentException e) {
            err.println("ecpay-redrive: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try (RuntimeConfig config = RuntimeConfig.fromCommandLine(configArgs.toArray(String[]::new), Path.of("config"))) {
            String url = config.require("journal.url", "JOURNAL_URL");
            HikariDataSource ds;
            try {
                ds = JournalDatabase.open(url, config.get("journal.user").orElse(""), config.get("journal.password").orElse(""), 2);
            } catch (RuntimeException e) {
                String why = StartupException.oneLine(String.valueOf(e.getMessage()));
                boolean held = why.contains("already in use") || why.contains("file is locked");
                err.println("ecpay-redrive: " + why + (held ? " (the running job holds the embedded H2 journal: stop it "
                        + "first, or re-drive through its direct:redrive route)" : ""));
                return 1;
            }
            try (ds) {
                Redrive.Result result = new Redrive(new Journal(ds, Clock.systemUTC())).run(selection, by, "cli", dryRun);
                if (json) {
                    out.println(Redrive.toJson(result).toPrettyString());
                } else {
                    print(result, out);
                }
                return 0;
            }
        } catch (StartupException e) {
            err.println("ecpay-redrive: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("ecpay-redrive: " + StartupException.oneLine(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private static void print(Redrive.Result r, PrintStream out) {
        for (Redrive.Item i : r.items()) {
            String code = i.transCode() != null && i.transCode() != 1 ? "TransCode " + i.transCode()
                    : i.rtnCode() != null ? "RtnCode " + i.rtnCode() : "-";
            out.printf("%-9s %s  %s  %s  died %sZ  %s%n           %s%n", i.route(), SafeText.log(i.id()), i.operation(), code,
                    i.diedAt(), i.source() == null ? "" : "source " + SafeText.log(i.source()), SafeText.log(i.why()));
        }
        String counts = r.items().size() + " matched, " + r.count(Redrive.Route.RESEND) + " resent, "
                + r.count(Redrive.Route.RECONCILE) + " reconciled, " + r.count(Redrive.Route.SKIP) + " skipped";
        out.println(r.dryRun() ? "dry run, nothing changed: " + counts.replace("resent", "to resend")
                .replace("reconciled", "to reconcile").replace("skipped", "to skip")
                : "re-drive " + r.id() + " by " + SafeText.log(r.by()) + ": " + counts
                        + (r.items().size() > r.count(Redrive.Route.SKIP) ? "; the dispatcher sends them on its next poll" : ""));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> codes(String text) {
        try {
            return list(text).stream().map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a list of codes such as 110 or 1100040,1100041");
        }
    }
}
