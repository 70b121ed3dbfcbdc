package tw.einvoice.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shell block of the README and docs/ says what runs it, on the line before it:
 * {@code <!-- ci: NAME -->}, a block a script under .ci/ runs word for word by that name;
 * {@code <!-- run by: TestClass (what) -->}, a test that takes those steps and names the page;
 * {@code <!-- not run here...: why -->}, with the reason (and what checks it instead).
 * So a command added to the docs without a way to check it fails here, and a marker that names nothing real fails too.
 */
class DocsCommandsTest {

    static final Pattern FENCE = Pattern.compile("^```(sh|bash|shell)\\s*$");
    static final Pattern CI = Pattern.compile("^<!-- ci: ([a-z0-9-]+) -->$");
    static final Pattern RUN_BY = Pattern.compile("^<!-- run by: ([A-Za-z0-9]+Test) \\(.+\\) -->$");
    static final Pattern NOT_RUN = Pattern.compile("^<!-- not run here[^:]*: .{10,} -->$");

    @Test
    void everyShellBlockInTheDocsIsRunOrSaysWhyNot() throws IOException {
        String ciScripts = readAll(Path.of(".ci"));
        List<String> problems = new ArrayList<>();
        int blocks = 0;
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page);
            String name = Path.of("").toAbsolutePath().relativize(page.toAbsolutePath()).toString();
            for (int i = 0; i < lines.size(); i++) {
                if (!FENCE.matcher(lines.get(i)).matches()) {
                    continue;
                }
                blocks++;
                String marker = i > 0 ? lines.get(i - 1).strip() : "";
                Matcher ci = CI.matcher(marker);
                Matcher runBy = RUN_BY.matcher(marker);
                if (ci.matches()) {
                    // the script must name the page and call the block by its name
                    if (!ciScripts.contains(name) || !Pattern.compile("\\b" + Pattern.quote(ci.group(1)) + "\\b").matcher(ciScripts).find()) {
                        problems.add(name + ":" + (i + 1) + " is marked ci: " + ci.group(1) + ", but no script in .ci/ runs it");
                    }
                } else if (runBy.matches()) {
                    Path test = testSource(runBy.group(1));
                    if (test == null) {
                        problems.add(name + ":" + (i + 1) + " names " + runBy.group(1) + ", which does not exist");
                    } else if (!Files.readString(test).contains(page.getFileName().toString())) {
                        problems.add(name + ":" + (i + 1) + " names " + runBy.group(1) + ", which does not say it takes the steps of " + name);
                    }
                } else if (!NOT_RUN.matcher(marker).matches()) {
                    problems.add(name + ":" + (i + 1) + " has no marker saying what runs it (" + marker + ")");
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(true, blocks >= 20, "found only " + blocks + " shell blocks: the page list is wrong");
    }

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("bench/README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    static String readAll(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                all.append(Files.readString(f)).append('\n');
            }
        }
        return all.toString();
    }

    static Path testSource(String simpleName) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            return files.filter(p -> p.getFileName().toString().equals(simpleName + ".java")).findFirst().orElse(null);
        }
    }
}
