package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.cli.ArrakisCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo's terminal output shows tokens as {@link TokenText} does: no raw control byte or U+FFFD breaks a line. */
class DemoTokensTest {
    private static final String CHECKPOINT = "src/test/resources/reference/gpt2-prefixed";

    @Test
    void demoPrintsEveryTokenVisibly() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ArrakisCli.execute(new String[] {"demo", "--model", CHECKPOINT}, new PrintWriter(out, true),
                new PrintWriter(err, true));
        String printed = out.toString();
        assertEquals(0, exit, "demo exit code; stderr: " + err);
        for (int index = 0; index < printed.length(); index++) {
            char c = printed.charAt(index);
            assertTrue(c == '\n' || !Character.isISOControl(c) && c != '\uFFFD', "character " + index + " is U+"
                    + String.format("%04X", (int) c) + " in:\n" + printed);
        }
        // The committed random-init model's top five: GPT-2's leading space, a 0x11 byte and half a character.
        for (String shown : new String[] {"'\u00B7c'", "'\\x11'", "'\\uFFFD'", "'ou'"}) {
            assertTrue(printed.contains("  " + shown + " "), shown + " is listed in:\n" + printed);
        }
        List<Integer> arrows = printed.lines().filter(line -> line.contains(" -> ") && line.startsWith("  '"))
                .map(line -> line.indexOf(" -> ")).toList();
        assertEquals(5, arrows.size(), "five predictions in:\n" + printed);
        assertEquals(1, Set.copyOf(arrows).size(), "the probability columns line up, arrows at " + arrows + ":\n"
                + printed);
    }
}
