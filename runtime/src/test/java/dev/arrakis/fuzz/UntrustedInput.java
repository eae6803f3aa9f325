package dev.arrakis.fuzz;

import dev.arrakis.ArrakisException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The contract every fuzz target checks: a parser of untrusted bytes either accepts them or refuses them with an
 * {@link ArrakisException} (the catalogue of typed subclasses: {@code SafetensorsFormatException},
 * {@code ModelConfigException}, {@code ModelLoadException}, {@code RunStoreException},
 * {@code ExperimentDefinitionException}, ...) whose message says what is wrong. Nothing else may leave it: another
 * exception, an {@link Error} such as {@link OutOfMemoryError} or {@link StackOverflowError}, a hang or a JVM crash is
 * a finding, which Jazzer reports and saves as a crash file.
 */
public final class UntrustedInput {
    /** The one set of exceptions a parser of untrusted bytes may throw: this class and its subclasses. */
    public static final Class<ArrakisException> ALLOWED_REFUSAL = ArrakisException.class;

    private UntrustedInput() {}

    /** A parse of untrusted input; checked exceptions are findings too. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /**
     * Runs {@code parse} and returns its refusal, or null when it accepted the input.
     *
     * @throws AssertionError for a refusal without a message, or any exception outside {@link #ALLOWED_REFUSAL}
     */
    public static ArrakisException refusalOf(Parse parse) {
        try {
            parse.run();
            return null;
        } catch (RuntimeException e) {
            if (!ALLOWED_REFUSAL.isInstance(e)) {
                throw e;
            }
            ArrakisException refusal = ALLOWED_REFUSAL.cast(e);
            if (refusal.getMessage() == null || refusal.getMessage().isBlank()) {
                throw new AssertionError(refusal.getClass().getName() + " without a message", refusal);
            }
            return refusal;
        } catch (Exception e) {
            throw new AssertionError("a checked exception outside " + ALLOWED_REFUSAL.getSimpleName() + ": " + e, e);
        }
    }

    /** The input as text, one command-line argument per line, as the text-seeded targets read their corpora. */
    public static List<String> lines(byte[] input) {
        return new String(input, StandardCharsets.UTF_8).lines().toList();
    }
}
