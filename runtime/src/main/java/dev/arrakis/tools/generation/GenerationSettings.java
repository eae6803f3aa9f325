package dev.arrakis.tools.generation;

import dev.arrakis.spec.GenerationRules;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How to decode: how many tokens at most, how to choose each (temperature 0 is greedy; otherwise temperature, then
 * top-k, then top-p, as HF's {@code generate} applies its warpers), which tokens end a row, and whether to keep a
 * key/value cache (the default) or recompute the whole sequence at every step.
 *
 * @param maxNewTokens at most this many tokens per row, at least 1
 * @param temperature 0 for greedy decoding, above 0 to sample from {@code softmax(logits / temperature)}
 * @param topK sample only among the k highest logits (ties with the k-th kept, as HF does); 0 keeps all
 * @param topP sample only among the smallest set of highest-probability tokens whose mass reaches p; 1 keeps all
 * @param seed seeds the {@link java.util.SplittableRandom} sampling draws from
 * @param stopTokens a row ends after generating any of these (the stop token is kept in its output)
 * @param keyValueCache whether each step runs only the new token against cached keys and values
 * @param padToken the id left padding and finished rows are filled with (HF's {@code pad_token_id})
 */
public record GenerationSettings(int maxNewTokens, double temperature, int topK, double topP, long seed,
        long[] stopTokens, boolean keyValueCache, long padToken) {

    public GenerationSettings {
        stopTokens = stopTokens.clone();
    }

    /** Greedy decoding with a key/value cache, no stop tokens, padding with token 0. */
    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, 0, 1, 0, new long[0], true, 0);
    }

    /** Sampling at this temperature with the given seed, every token kept (no top-k, no top-p). */
    public static GenerationSettings sampling(int maxNewTokens, double temperature, long seed) {
        return new GenerationSettings(maxNewTokens, temperature, 0, 1, seed, new long[0], true, 0);
    }

    public GenerationSettings withTopK(int k) {
        return new GenerationSettings(maxNewTokens, temperature, k, topP, seed, stopTokens, keyValueCache, padToken);
    }

    public GenerationSettings withTopP(double p) {
        return new GenerationSettings(maxNewTokens, temperature, topK, p, seed, stopTokens, keyValueCache, padToken);
    }

    public GenerationSettings withStopTokens(long... tokens) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, tokens, keyValueCache, padToken);
    }

    public GenerationSettings withPadToken(long token) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, stopTokens, keyValueCache, token);
    }

    /** The same settings recomputing every step without a cache: slower, the oracle the cached path is tested by. */
    public GenerationSettings withoutKeyValueCache() {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, stopTokens, false, padToken);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public boolean isStop(long token) {
        return Arrays.stream(stopTokens).anyMatch(stop -> stop == token);
    }

    @Override
    public long[] stopTokens() {
        return stopTokens.clone();
    }

    /**
     * @throws GenerationException naming every setting that is out of range for a model of this vocabulary
     */
    public void check(String model, int vocabSize) {
        List<GenerationRules.Located> problems =
                GenerationRules.check(maxNewTokens, temperature, topK, topP, stopTokens, model, vocabSize);
        if (!problems.isEmpty()) {
            throw new GenerationException(
                    problems.stream().map(p -> p.problem().text()).collect(Collectors.joining("; ")));
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GenerationSettings s && s.maxNewTokens == maxNewTokens
                && Double.compare(s.temperature, temperature) == 0 && s.topK == topK
                && Double.compare(s.topP, topP) == 0 && s.seed == seed && Arrays.equals(s.stopTokens, stopTokens)
                && s.keyValueCache == keyValueCache && s.padToken == padToken;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(stopTokens) * 31 + Double.hashCode(temperature) * 7 + maxNewTokens;
    }

    @Override
    public String toString() {
        return "GenerationSettings[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature + ", topK=" + topK
                + ", topP=" + topP + ", seed=" + seed + ", stopTokens=" + Arrays.toString(stopTokens)
                + ", keyValueCache=" + keyValueCache + ", padToken=" + padToken + "]";
    }
}
