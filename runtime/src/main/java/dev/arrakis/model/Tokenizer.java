package dev.arrakis.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.ArrakisException;
import dev.arrakis.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * A checkpoint's {@code tokenizer.json}, run by the HF tokenizers library (through DJL's bindings).
 *
 * <p>BOS: {@link #encode(String)} does what HF's {@code tokenizer(text)} does, which is what the model was trained on
 * and what HF's numbers are measured on: the tokenizer's own post-processor decides (LLaMA's prepends {@code <s>},
 * GPT-2's adds nothing). {@link #encode(String, Bos)} overrides that, as TransformerLens's {@code prepend_bos} does.
 */
public final class Tokenizer implements AutoCloseable {
    /** Whether a token sequence starts with the beginning-of-sequence token. */
    public enum Bos {
        /** As the tokenizer's post-processor does: HF's {@code tokenizer(text)}. */
        TOKENIZER,
        /** Exactly one BOS first, whatever the tokenizer does (TransformerLens's {@code prepend_bos=True}). */
        PREPEND,
        /** No BOS, even where the tokenizer adds one (TransformerLens's {@code prepend_bos=False}). */
        NONE
    }

    private final HuggingFaceTokenizer tokenizer;
    private final Path source;
    private final Long bosToken;
    private final boolean prependsBos;

    private Tokenizer(HuggingFaceTokenizer tokenizer, Path source, Long bosToken) {
        this.tokenizer = tokenizer;
        this.source = source;
        long[] added = tokenizer.encode("", true, false).getIds();
        this.prependsBos = added.length > 0 && bosToken != null && added[0] == bosToken;
        this.bosToken = bosToken;
    }

    public static Tokenizer load(Path tokenizerJson) {
        requireWellFormed(tokenizerJson);
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
        try {
            return new Tokenizer(tokenizer, tokenizerJson, bosToken(tokenizer, tokenizerJson));
        } catch (ArrakisException e) {
            tokenizer.close();
            throw e;
        } catch (RuntimeException e) {
            tokenizer.close();
            throw new ModelLoadException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks the file before HF's tokenizers library sees it: that library panics on some files (a syntax error inside
     * {@code "decoder"}, a template naming a special token it does not define; both found by fuzzing), and a Rust
     * panic across DJL's JNI boundary aborts the whole JVM instead of throwing.
     */
    private static void requireWellFormed(Path tokenizerJson) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(tokenizerJson));
        } catch (JsonProcessingException e) {
            throw new ModelLoadException("tokenizer " + tokenizerJson + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
        if (!root.isObject()) {
            throw new ModelLoadException("tokenizer " + tokenizerJson + " is not a JSON object");
        }
        requireTemplateTokens(tokenizerJson, root.path("post_processor"));
    }

    /**
     * Every special token a {@code TemplateProcessing} post-processor (alone or in a {@code Sequence}) puts in its
     * templates must be one of its {@code special_tokens}: the library loads such a file and panics on the first
     * encode.
     */
    private static void requireTemplateTokens(Path tokenizerJson, JsonNode processor) {
        if ("TemplateProcessing".equals(processor.path("type").asText())) {
            JsonNode defined = processor.path("special_tokens");
            for (String template : List.of("single", "pair")) {
                for (JsonNode piece : processor.path(template)) {
                    JsonNode special = piece.path("SpecialToken");
                    if (special.isObject() && !defined.has(special.path("id").asText())) {
                        throw new ModelLoadException("tokenizer " + tokenizerJson + ": the post_processor's '"
                                + template + "' template uses special token '" + special.path("id").asText()
                                + "', which its special_tokens do not define");
                    }
                }
            }
        }
        for (JsonNode nested : processor.path("processors")) {
            requireTemplateTokens(tokenizerJson, nested);
        }
    }

    /**
     * The BOS id: {@code bos_token} of the {@code tokenizer_config.json} beside the tokenizer (a string or
     * {@code {"content": ...}}), else the special token the post-processor puts in front of an empty text, else none.
     */
    private static Long bosToken(HuggingFaceTokenizer tokenizer, Path tokenizerJson) {
        Path config = tokenizerJson.resolveSibling("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            try {
                JsonNode bos = new ObjectMapper().readTree(config.toFile()).path("bos_token");
                String text = bos.isTextual() ? bos.asText() : bos.path("content").asText(null);
                if (text != null) {
                    long[] ids = tokenizer.encode(text, false, false).getIds();
                    if (ids.length != 1) {
                        throw new ModelLoadException(config + " names bos_token '" + text + "', which "
                                + tokenizerJson + " splits into " + ids.length + " tokens " + Arrays.toString(ids));
                    }
                    return ids[0];
                }
            } catch (IOException e) {
                throw new ModelLoadException("cannot read " + config + ": " + e.getMessage(), e);
            }
        }
        long[] added = tokenizer.encode("", true, false).getIds();
        return added.length > 0 ? added[0] : null;
    }

    /** Token ids as HF's {@code tokenizer(text)} gives them, special tokens included where the tokenizer adds any. */
    public long[] encode(String text) {
        return inLibrary(() -> "'" + text + "'", () -> tokenizer.encode(text).getIds());
    }

    /** Token ids with the BOS rule given; {@link Bos#TOKENIZER} is {@link #encode(String)}. */
    public long[] encode(String text, Bos bos) {
        return switch (bos) {
            case TOKENIZER -> encode(text);
            case NONE -> inLibrary(() -> "'" + text + "'", () -> tokenizer.encode(text, false, false).getIds());
            case PREPEND -> {
                long[] plain = encode(text, Bos.NONE);
                long[] withBos = new long[plain.length + 1];
                withBos[0] = bosToken().orElseThrow(() -> new TokenizationException(source
                        + " names no BOS token (no bos_token in tokenizer_config.json, none added by the tokenizer)"));
                System.arraycopy(plain, 0, withBos, 1, plain.length);
                yield withBos;
            }
        };
    }

    public String decode(long[] ids) {
        return inLibrary(() -> Arrays.toString(ids), () -> tokenizer.decode(ids));
    }

    /**
     * Each token decoded on its own, special tokens kept (TransformerLens's {@code to_str_tokens}): {@code " the"}
     * rather than the vocabulary's {@code "Ġthe"}. A token holding part of a multi-byte character decodes to U+FFFD.
     */
    public List<String> toStrTokens(long[] ids) {
        List<String> texts = new ArrayList<>(ids.length);
        for (long id : ids) {
            texts.add(inLibrary(() -> "[" + id + "]", () -> tokenizer.decode(new long[] {id}, false)));
        }
        return texts;
    }

    /** {@link #toStrTokens(long[])} of {@link #encode(String)}. */
    public List<String> toStrTokens(String text) {
        return toStrTokens(encode(text));
    }

    /**
     * The id of a text that is exactly one token, without BOS (TransformerLens's {@code to_single_token}).
     *
     * @throws TokenizationException naming the text and the tokens it splits into when it is not one token
     */
    public long toSingleToken(String text) {
        long[] ids = encode(text, Bos.NONE);
        if (ids.length != 1) {
            throw new TokenizationException("'" + text + "' is not a single token: it splits into " + ids.length
                    + " tokens " + quoted(toStrTokens(ids)) + " (ids " + Arrays.toString(ids) + ")");
        }
        return ids[0];
    }

    /**
     * A call into HF's library, which reports what a tokenizer file gets wrong only when it is used (a word-level
     * vocabulary without its own unknown token fails on the first unknown word; found by fuzzing), as a bare
     * RuntimeException.
     */
    private <T> T inLibrary(Supplier<String> input, Supplier<T> call) {
        try {
            return call.get();
        } catch (ArrakisException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TokenizationException("tokenizer " + source + " fails on " + input.get() + ": " + e.getMessage(),
                    e);
        }
    }

    /** The beginning-of-sequence token, when the tokenizer names one. */
    public OptionalLong bosToken() {
        return bosToken == null ? OptionalLong.empty() : OptionalLong.of(bosToken);
    }

    /** Whether {@link #encode(String)} puts the BOS token first, as HF's {@code tokenizer(text)} does for LLaMA. */
    public boolean prependsBos() {
        return prependsBos;
    }

    private static String quoted(List<String> texts) {
        return texts.stream().map(text -> "'" + text + "'").toList().toString();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
