package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.ReferenceCase;
import java.nio.file.Files;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The checkpoint's tokenizer.json gives the ids HF's tokenizer gave (recorded by the reference script). */
class TokenizerTest {
    @Test
    void encodesLikeHf() throws Exception {
        ReferenceCase reference = ReferenceCase.of("gpt2-prefixed");
        JsonNode expected = new ObjectMapper().readTree(
                Files.readAllBytes(reference.directory().resolve("tokenizer-reference.json")));
        long[] expectedIds = StreamSupport.stream(expected.get("ids").spliterator(), false)
                .mapToLong(JsonNode::asLong).toArray();
        try (HookedTransformer model = HookedTransformer.load(reference.directory())) {
            Tokenizer tokenizer = model.tokenizer().orElseThrow();
            String text = expected.get("text").asText();
            assertArrayEquals(expectedIds, tokenizer.encode(text));
            assertEquals(text, tokenizer.decode(expectedIds));
        }
    }
}
