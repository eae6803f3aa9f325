package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenTextTest {

    @Test
    void spacesAtTheEndsBecomeVisibleAndInnerOnesStay() {
        assertEquals("\u00B7Mary", TokenText.display(" Mary"));
        assertEquals("\u00B7\u00B7", TokenText.display("  "));
        assertEquals("\u00B7a b\u00B7", TokenText.display(" a b "));
        assertEquals("plain", TokenText.display("plain"));
    }

    @Test
    void controlCharactersAndReplacementCharacterAreEscaped() {
        assertEquals("\\x11", TokenText.display("\u0011"));
        assertEquals("\\x00\\x7F\\x85", TokenText.display("\u0000\u007F\u0085"));
        assertEquals("\\uFFFD", TokenText.display("\uFFFD"));
        assertEquals("a\\nb\\t\\r", TokenText.display("a\nb\t\r"));
        assertEquals("zero\\u200Bwidth", TokenText.display("zero\u200Bwidth"));
        assertEquals("\\uD83D", TokenText.display("\uD83D"), "an unpaired surrogate");
        assertEquals("\\u2028", TokenText.display("\u2028"), "a line separator");
    }

    @Test
    void backslashIsDoubledSoEscapesStayUnambiguous() {
        assertEquals("\\\\x11", TokenText.display("\\x11"), "the four characters \\x11, not the byte");
        assertEquals("\\\\", TokenText.display("\\"));
    }

    @Test
    void visibleCharactersPassThrough() {
        assertEquals("é😀日本", TokenText.display("é😀日本"));
        assertEquals("\u0120Mary", TokenText.display("\u0120Mary"), "GPT-2's byte marker is already visible");
        assertEquals("\u2205", TokenText.display(""), "the empty token");
    }
}
