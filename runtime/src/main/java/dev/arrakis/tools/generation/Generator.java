package dev.arrakis.tools.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.KeyValueCache;
import dev.arrakis.model.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Autoregressive generation with hooks, as TransformerLens's {@code HookedTransformer.generate}: every step is a
 * forward pass with the given {@link RunOptions}, so hooks and interventions act at every step.
 *
 * <p>With a key/value cache (the default) the first step runs the whole prompt and each later step runs only the
 * token just chosen, so a hook sees {@code [batch, 1, ...]} there, except attention scores and patterns, which have a
 * key column for every position so far. Without a cache every step reruns the whole sequence. Rows of different
 * lengths are left-padded with the pad token; padding is masked out of attention and does not advance positions
 * (HF's {@code position_ids = cumsum(attention_mask) - 1}), so each row generates what it would alone.
 */
public final class Generator {
    private Generator() {}

    /** Each row of the batch as a prompt, its left padding (if any) dropped. */
    public static List<long[]> prompts(TokenBatch batch) {
        List<long[]> prompts = new ArrayList<>();
        for (int row = 0; row < batch.batchSize(); row++) {
            int start = 0;
            while (!batch.attended(row, start)) {
                start++;
            }
            long[] prompt = new long[batch.sequenceLength() - start];
            for (int p = start; p < batch.sequenceLength(); p++) {
                prompt[p - start] = batch.token(row, p);
            }
            prompts.add(prompt);
        }
        return prompts;
    }

    /** Greedy or sampled continuation of one prompt, no hooks. */
    public static Generation generate(HookedTransformer model, long[] prompt, GenerationSettings settings) {
        return generate(model, List.of(prompt), settings, RunOptions.none(), GenerationListener.NONE);
    }

    /**
     * Continues each prompt.
     *
     * @param options hooks active at every step; activations it asks to cache are dropped after each step (read them
     *     in a hook instead)
     * @throws GenerationException when a setting is out of range for the model, or a prompt is empty or too long to
     *     continue within the model's context
     */
    public static Generation generate(HookedTransformer model, List<long[]> prompts, GenerationSettings settings,
            RunOptions options, GenerationListener listener) {
        return generate(model, prompts, settings, length -> options, listener);
    }

    /**
     * As {@link #generate(HookedTransformer, List, GenerationSettings, RunOptions, GenerationListener)} with hooks
     * made for each pass from its length in positions (the new tokens with a cache, the whole sequence without), for
     * hooks built for one length, such as an experiment's interventions.
     */
    public static Generation generate(HookedTransformer model, List<long[]> prompts, GenerationSettings settings,
            IntFunction<RunOptions> optionsForPass, GenerationListener listener) {
        int vocab = model.config().vocabSize();
        settings.check(model.config().modelType(), vocab);
        checkPrompts(model, prompts, settings);
        int rows = prompts.size();
        int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        TokenBatch promptBatch = TokenBatch.leftPadded(prompts, settings.padToken());
        List<long[]> sequence = new ArrayList<>();
        List<boolean[]> mask = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            long[] tokens = new long[promptLength];
            boolean[] attended = new boolean[promptLength];
            for (int p = 0; p < promptLength; p++) {
                tokens[p] = promptBatch.token(row, p);
                attended[p] = promptBatch.attended(row, p);
            }
            sequence.add(tokens);
            mask.add(attended);
        }
        long[][] generated = new long[rows][settings.maxNewTokens()];
        int[] generatedCount = new int[rows];
        boolean[] finished = new boolean[rows];
        TokenSampler sampler = new TokenSampler(settings);
        SplittableRandom random = new SplittableRandom(settings.seed());
        try (KeyValueCache cache = settings.keyValueCache() ? model.newKeyValueCache(rows) : null) {
            TokenBatch input = rows == 1 ? TokenBatch.of(prompts.get(0)) : promptBatch;
            for (int step = 0; step < settings.maxNewTokens(); step++) {
                float[][] logits = lastLogits(model, input, optionsForPass.apply(input.sequenceLength()), cache, rows);
                long[] chosen = new long[rows];
                for (int row = 0; row < rows; row++) {
                    if (finished[row]) {
                        chosen[row] = settings.padToken();
                        continue;
                    }
                    chosen[row] = sampler.choose(logits[row], random);
                    generated[row][generatedCount[row]++] = chosen[row];
                    finished[row] = settings.isStop(chosen[row]);
                }
                listener.onStep(new GenerationStep(step, logits, chosen.clone(), finished.clone()));
                boolean allFinished = true;
                for (boolean f : finished) {
                    allFinished &= f;
                }
                if (allFinished || step == settings.maxNewTokens() - 1) {
                    break;
                }
                for (int row = 0; row < rows; row++) {
                    sequence.set(row, append(sequence.get(row), chosen[row]));
                    boolean[] attended = Arrays.copyOf(mask.get(row), mask.get(row).length + 1);
                    attended[attended.length - 1] = true;
                    mask.set(row, attended);
                }
                input = cache != null ? TokenBatch.of(column(chosen))
                        : TokenBatch.withMask(sequence.toArray(long[][]::new), mask.toArray(boolean[][]::new));
            }
        }
        List<long[]> added = new ArrayList<>();
        List<Generation.Finish> finishes = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            added.add(Arrays.copyOf(generated[row], generatedCount[row]));
            finishes.add(finished[row] ? Generation.Finish.STOP_TOKEN : Generation.Finish.MAX_NEW_TOKENS);
        }
        return new Generation(prompts, added, finishes);
    }

    private static float[][] lastLogits(HookedTransformer model, TokenBatch input, RunOptions options,
            KeyValueCache cache, int rows) {
        try (ForwardResult result = model.run(input, options, cache)) {
            NDArray last = result.logits().get(new NDIndex(":, -1, :"));
            float[] flat = last.toFloatArray();
            int vocab = flat.length / rows;
            float[][] logits = new float[rows][];
            for (int row = 0; row < rows; row++) {
                logits[row] = Arrays.copyOfRange(flat, row * vocab, (row + 1) * vocab);
            }
            return logits;
        }
    }

    private static void checkPrompts(HookedTransformer model, List<long[]> prompts, GenerationSettings settings) {
        if (prompts.isEmpty()) {
            throw new GenerationException("nothing to generate from: no prompts");
        }
        int longest = 0;
        for (int row = 0; row < prompts.size(); row++) {
            if (prompts.get(row).length == 0) {
                throw new GenerationException("prompt " + row + " is empty; give at least one token (e.g. BOS)");
            }
            longest = Math.max(longest, prompts.get(row).length);
        }
        // the last chosen token is never run, so the longest sequence a pass sees is one shorter than the output
        int needed = longest + settings.maxNewTokens() - 1;
        if (needed > model.config().contextLength()) {
            throw new GenerationException("a prompt of " + longest + " tokens plus maxNewTokens = "
                    + settings.maxNewTokens() + " needs " + needed + " positions but the model's context is "
                    + model.config().contextLength() + "; give maxNewTokens <= "
                    + (model.config().contextLength() - longest + 1));
        }
    }

    private static long[] append(long[] tokens, long token) {
        long[] longer = Arrays.copyOf(tokens, tokens.length + 1);
        longer[tokens.length] = token;
        return longer;
    }

    private static long[][] column(long[] tokens) {
        long[][] column = new long[tokens.length][1];
        for (int row = 0; row < tokens.length; row++) {
            column[row][0] = tokens[row];
        }
        return column;
    }
}
