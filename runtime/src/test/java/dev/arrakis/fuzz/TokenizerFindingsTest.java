package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.ModelLoadException;
import dev.arrakis.model.TokenizationException;
import dev.arrakis.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code tokenizer.json} with a syntax error inside {@code "decoder"}: HF's tokenizers library (0.21, through DJL's
 * JNI binding) panicked on it, and the panic aborted the JVM ("fatal runtime error: failed to initiate panic").
 * Before the fix this test took its whole test JVM down with it.
 */
class TokenizerFindingsTest {
    /** A working word-level tokenizer whose decoder lacks the colon after a key. */
    private static final String BROKEN_DECODER = "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": null,"
            + " \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null,"
            + " \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\" true, \"trim_offsets\": true,"
            + " \"use_regex\": true},"
            + " \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<unk>\": 0, \"a\": 1}, \"unk_token\": \"<unk>\"}}";

    @TempDir
    Path directory;

    @Test
    void aSyntaxErrorInsideTheDecoderIsRefusedBeforeTheNativeLibrarySeesIt() throws IOException {
        Path file = Files.writeString(directory.resolve("tokenizer.json"), BROKEN_DECODER);
        ModelLoadException refusal = assertThrows(ModelLoadException.class, () -> Tokenizer.load(file).close());
        assertTrue(refusal.getMessage().startsWith("tokenizer " + file + " is not valid JSON"), refusal.getMessage());
    }

    @Test
    void theSameTokenizerWithItsColonLoadsAndTokenizes() throws IOException {
        Path file = Files.writeString(directory.resolve("tokenizer.json"),
                BROKEN_DECODER.replace("\"add_prefix_space\" true", "\"add_prefix_space\": true"));
        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            assertEquals(1, tokenizer.toSingleToken("a"), "id of 'a' in the vocab {<unk>: 0, a: 1}");
        }
    }

    /**
     * Fuzzer input crash-a111e494...: a word-level vocabulary whose unk_token is not in it loads, then the library
     * threw a bare RuntimeException on the first unknown word.
     */
    @Test
    void aVocabularyWithoutItsUnknownTokenFailsToTokenizeAnUnknownWordByName() throws IOException {
        Path file = Files.writeString(directory.resolve("tokenizer.json"),
                "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": null,"
                + " \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null, \"decoder\": null,"
                + " \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<unk>\": 0, \"a\": 1},"
                + " \"unk_token\": \"<u1nk>\"}}");
        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            assertEquals(1, tokenizer.toSingleToken("a"), "id of the known word 'a'");
            TokenizationException refusal = assertThrows(TokenizationException.class,
                    () -> tokenizer.encode("a zebra"));
            assertEquals("tokenizer " + file + " fails on 'a zebra': WordLevel error: Missing [UNK] token from the"
                    + " vocabulary", refusal.getMessage());
        }
    }

    /**
     * Fuzzer input crash-ad9bf67e...: a template naming special token {@code <s>} while special_tokens defines only
     * {@code <s~}. The library loaded it, then panicked on the first encode ("no entry found for key"), which aborted
     * the JVM; before the fix this test took its test JVM down.
     */
    @Test
    void aTemplateUsingAnUndefinedSpecialTokenIsRefusedAtLoad() throws IOException {
        Path file = Files.writeString(directory.resolve("tokenizer.json"),
                "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": null,"
                + " \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"decoder\": null,"
                + " \"post_processor\": {\"type\": \"TemplateProcessing\","
                + " \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}},"
                + " {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
                + " \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
                + " {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
                + " \"special_tokens\": {\"<s~\": {\"id\": \"<s>\", \"ids\": [0], \"tokens\": [\"<s>\"]}}},"
                + " \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<s>\": 0, \"<unk>\": 1, \"a\": 2},"
                + " \"unk_token\": \"<unk>\"}}");
        ModelLoadException refusal = assertThrows(ModelLoadException.class, () -> {
            try (Tokenizer tokenizer = Tokenizer.load(file)) {
                tokenizer.encode("a");
            }
        });
        assertEquals("tokenizer " + file + ": the post_processor's 'single' template uses special token '<s>', which"
                + " its special_tokens do not define", refusal.getMessage());
    }

    @Test
    void jsonThatIsNotAnObjectIsRefused() throws IOException {
        Path file = Files.writeString(directory.resolve("tokenizer.json"), "[1, 2]");
        ModelLoadException refusal = assertThrows(ModelLoadException.class, () -> Tokenizer.load(file).close());
        assertEquals("tokenizer " + file + " is not a JSON object", refusal.getMessage());
    }
}
