package dev.arrakis.tools.features;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.neurons.DatasetActivations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code k} tokens of a dataset on which a {@link Feature} is highest, each with the tokens around it: the first
 * thing to look at when asking what a neuron or direction responds to. The dataset is streamed in batches and only a
 * heap of the best {@code k} is kept, with their context windows, so memory does not grow with the dataset.
 *
 * <pre>{@code
 * TopActivatingExamples top = TopActivatingExamples.over(model, Feature.neuron("blocks.0.mlp.hook_post", 17),
 *         batches, 10, 8, 3);
 * ExamplesPage.of("neuron 17", top, model.tokenizer()).write(Path.of("plots/neuron17.html"));
 * }</pre>
 */
public final class TopActivatingExamples {
    /** Lower activation first; among equals the later token first, so that the earliest of equals is kept. */
    private static final Comparator<Example> WEAKEST_FIRST = Comparator.comparingDouble(Example::activation)
            .thenComparing(Comparator.comparingLong(Example::sequence).reversed())
            .thenComparing(Comparator.comparingInt(Example::position).reversed());

    private final Feature feature;
    private final int k;
    private final int before;
    private final int after;
    private final PriorityQueue<Example> heap;
    private long sequences;
    private long tokens;

    /**
     * One example: a token where the feature is high, and its context.
     *
     * @param sequence the row's index in the dataset, counting every row of every batch added
     * @param position the token's position among its row's real tokens
     * @param activation the feature's value there
     * @param context the token ids from {@code before} tokens before to {@code after} after (fewer at a row's ends)
     * @param contextActivations the feature's value at each of them
     * @param focus the index of the token itself within {@code context}
     */
    public record Example(long sequence, int position, float activation, long[] context, float[] contextActivations,
            int focus) {
        public Example {
            context = context.clone();
            contextActivations = contextActivations.clone();
        }

        @Override
        public long[] context() {
            return context.clone();
        }

        @Override
        public float[] contextActivations() {
            return contextActivations.clone();
        }
    }

    /**
     * @param k how many examples to keep
     * @param before tokens of context kept before each example's token
     * @param after tokens of context kept after it
     */
    public TopActivatingExamples(Feature feature, int k, int before, int after) {
        if (k < 1 || before < 0 || after < 0) {
            throw new ArrakisException("k must be at least 1 and the context sizes at least 0; got k " + k + ", before "
                    + before + ", after " + after);
        }
        this.feature = feature;
        this.k = k;
        this.before = before;
        this.after = after;
        this.heap = new PriorityQueue<>(k + 1, WEAKEST_FIRST);
    }

    /** The hook to cache: the feature's. */
    public static List<String> requiredHooks(dev.arrakis.spec.HookPoints points, Feature feature) {
        return DatasetActivations.requiredHooks(points, feature.hook());
    }

    /** Streams {@code batches} through {@code model} and keeps the top {@code k} examples. */
    public static TopActivatingExamples over(HookedTransformer model, Feature feature, Iterable<TokenBatch> batches,
            int k, int before, int after) {
        TopActivatingExamples top = new TopActivatingExamples(feature, k, before, after);
        DatasetActivations.forEachBatch(model, batches, requiredHooks(model.hookPoints(), feature),
                (batch, cache) -> top.add(cache.get(feature.hook()), batch));
        return top;
    }

    /** Adds one batch: {@code activation} is the feature's hook {@code [batch, pos, width]} for {@code batch}. */
    public void add(NDArray activation, TokenBatch batch) {
        long[] shape = activation.getShape().getShape();
        if (shape.length != 3 || shape[0] != batch.batchSize() || shape[1] != batch.sequenceLength()) {
            throw new ArrakisException("the activation " + activation.getShape() + " is not [batch, pos, width] for"
                    + " the token batch of " + batch.batchSize() + " rows of " + batch.sequenceLength() + " tokens");
        }
        float[] values = feature.values(activation);
        int positions = batch.sequenceLength();
        for (int row = 0; row < batch.batchSize(); row++) {
            int first = 0;
            while (!batch.attended(row, first)) {
                first++;
            }
            for (int position = first; position < positions; position++) {
                float value = values[row * positions + position];
                tokens++;
                if (heap.size() == k && !(value > heap.peek().activation())) {
                    continue;
                }
                int from = Math.max(first, position - before);
                int to = Math.min(positions, position + after + 1);
                long[] context = new long[to - from];
                float[] contextActivations = new float[to - from];
                for (int index = from; index < to; index++) {
                    context[index - from] = batch.token(row, index);
                    contextActivations[index - from] = values[row * positions + index];
                }
                heap.add(new Example(sequences, position - first, value, context, contextActivations,
                        position - from));
                if (heap.size() > k) {
                    heap.poll();
                }
            }
            sequences++;
        }
    }

    public Feature feature() {
        return feature;
    }

    /** The real tokens seen so far. */
    public long tokens() {
        return tokens;
    }

    /** The examples kept, strongest first (ties: earliest first); at most {@code k}. */
    public List<Example> examples() {
        List<Example> examples = new ArrayList<>(heap);
        examples.sort(WEAKEST_FIRST.reversed());
        return List.copyOf(examples);
    }
}
