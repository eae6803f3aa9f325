package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.ReferenceCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token strings, single tokens and BOS on the gpt2-prefixed tokenizer (a byte-level BPE whose vocabulary has
 * {@code The} = 294, {@code Ġc} = 272, {@code at} = 284, {@code Ġthe} = 259 and {@code <|endoftext|>} = 0, read from
 * its tokenizer.json), and on a copy whose post-processor prepends BOS as LLaMA's does.
 */
class TokenStringsTest {
    private static final Path GPT2 = Path.of("src/test/resources/reference/gpt2-prefixed/tokenizer.json");

    @Test
    void strTokensDecodeEachTokenAlone() {
        try (Tokenizer tokenizer = Tokenizer.load(ReferenceCase.of("gpt2-prefixed").directory()
                .resolve("tokenizer.json"))) {
            assertEquals(List.of("The", " c", "at", " s", "at", " o", "n", " the", " m", "at", "."),
                    tokenizer.toStrTokens("The cat sat on the mat."), "str tokens");
            assertEquals(List.of("<|endoftext|>", " the"), tokenizer.toStrTokens(new long[] {0, 259}),
                    "special tokens are kept");
        }
    }

    @Test
    void singleTokenOrAnErrorNamingTheSplit() {
        try (Tokenizer tokenizer = Tokenizer.load(GPT2)) {
            assertEquals(259, tokenizer.toSingleToken(" the"), "' the'");
            assertEquals(0, tokenizer.toSingleToken("<|endoftext|>"), "a special token");
            TokenizationException several = assertThrows(TokenizationException.class,
                    () -> tokenizer.toSingleToken("The cat"));
            assertEquals("'The cat' is not a single token: it splits into 3 tokens ['The', ' c', 'at'] "
                    + "(ids [294, 272, 284])", several.getMessage());
            TokenizationException none = assertThrows(TokenizationException.class,
                    () -> tokenizer.toSingleToken(""));
            assertEquals("'' is not a single token: it splits into 0 tokens [] (ids [])", none.getMessage());
        }
    }

    /** GPT-2's tokenizer adds no BOS; its tokenizer_config.json names <|endoftext|> (id 0) as the BOS token. */
    @Test
    void gpt2TokenizerAddsNoBosUnlessAsked() {
        try (Tokenizer tokenizer = Tokenizer.load(GPT2)) {
            assertFalse(tokenizer.prependsBos(), "GPT-2's tokenizer prepends BOS");
            assertEquals(OptionalLong.of(0), tokenizer.bosToken(), "BOS token");
            assertArrayEquals(new long[] {294, 272, 284}, tokenizer.encode("The cat"), "default");
            assertArrayEquals(new long[] {0, 294, 272, 284}, tokenizer.encode("The cat", Tokenizer.Bos.PREPEND),
                    "PREPEND");
            assertArrayEquals(new long[] {294, 272, 284}, tokenizer.encode("The cat", Tokenizer.Bos.NONE), "NONE");
        }
    }

    /** A post-processor that prepends BOS (LLaMA's template): the default keeps it, NONE drops it, PREPEND keeps one. */
    @Test
    void llamaStyleTokenizerPrependsBos(@TempDir Path directory) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode tokenizerJson = (ObjectNode) json.readTree(GPT2.toFile());
        tokenizerJson.set("post_processor", json.readTree("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
                            {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [0],
                                                      "tokens": ["<|endoftext|>"]}}}"""));
        Path file = directory.resolve("tokenizer.json");
        json.writeValue(file.toFile(), tokenizerJson);
        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            assertTrue(tokenizer.prependsBos(), "the template prepends BOS");
            assertEquals(OptionalLong.of(0), tokenizer.bosToken(), "BOS found from the template, without a config");
            assertArrayEquals(new long[] {0, 294, 272, 284}, tokenizer.encode("The cat"), "default");
            assertArrayEquals(new long[] {0, 294, 272, 284}, tokenizer.encode("The cat", Tokenizer.Bos.PREPEND),
                    "PREPEND adds no second BOS");
            assertArrayEquals(new long[] {294, 272, 284}, tokenizer.encode("The cat", Tokenizer.Bos.NONE), "NONE");
            assertEquals(List.of("<|endoftext|>", "The", " c", "at"), tokenizer.toStrTokens("The cat"),
                    "str tokens show the BOS");
            assertEquals(259, tokenizer.toSingleToken(" the"), "a single token never counts the BOS");
        }
        assertTrue(Files.isRegularFile(file), "written " + file);
    }

    @Test
    void modelWithoutTokenizerSaysSo() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("llama-gqa").directory())) {
            TokenizationException missing = assertThrows(TokenizationException.class, () -> model.toStrTokens("x"));
            assertEquals("the model loaded from " + model.source() + " has no tokenizer.json; give token ids instead "
                    + "of text", missing.getMessage());
        }
    }
}
