package dev.arrakis.tools.tracing;

/**
 * Where causal tracing's noise comes from: one draw per prompt and sample, {@code rows x dModel} values, one row per
 * subject position in the order the prompt lists them. {@link #seeded} is the default; another source (noise stored
 * by a reference script) lets an independent implementation be compared cell for cell.
 */
@FunctionalInterface
public interface TraceNoise {

    /**
     * @param std the standard deviation asked for: {@code noise x sigma}
     */
    float[][] draw(int prompt, int sample, int rows, int dModel, double std);

    /** {@link CausalTracing#noise}: {@code java.util.Random(seed * 1000003 + prompt * 10007 + sample)}. */
    static TraceNoise seeded(long seed) {
        return (prompt, sample, rows, dModel, std) -> CausalTracing.noise(seed, prompt, sample, rows, dModel, std);
    }
}
