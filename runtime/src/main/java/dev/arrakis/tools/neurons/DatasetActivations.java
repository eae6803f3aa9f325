package dev.arrakis.tools.neurons;

import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Streams a dataset through a model one batch at a time, caching only the hooks a tool needs. Each batch's pass and
 * cache are closed before the next starts, so memory holds one batch's activations whatever the dataset's size;
 * what a tool keeps between batches is its own, bounded, summary.
 */
public final class DatasetActivations {
    private DatasetActivations() {}

    /** The hooks a tool reading one hook point needs: that point, its name checked against the model's catalogue. */
    public static List<String> requiredHooks(HookPoints points, String hook) {
        return List.of(points.get(hook).name());
    }

    /**
     * Runs every batch, handing {@code reader} the batch and its cache of {@code hooks}; the cache is closed when the
     * reader returns, so the reader copies what it keeps.
     */
    public static void forEachBatch(HookedTransformer model, Iterable<TokenBatch> batches, List<String> hooks,
            BiConsumer<TokenBatch, ActivationCache> reader) {
        String[] names = hooks.stream().map(name -> model.hookPoints().get(name).name()).toArray(String[]::new);
        for (TokenBatch batch : batches) {
            try (ForwardResult pass = model.run(batch, options(model, names))) {
                reader.accept(batch, pass.cache());
            }
        }
    }

    /**
     * The pass stops after the last block whose hooks are read: later blocks and the unembedding would be wasted
     * work. A hook outside the blocks (the embeddings, the final norm) lets it run to the end.
     */
    private static RunOptions options(HookedTransformer model, String[] names) {
        RunOptions options = RunOptions.none().withCache(names);
        int last = -1;
        for (String name : names) {
            int layer = model.hookPoints().get(name).layer();
            if (layer < 0) {
                return options;
            }
            last = Math.max(last, layer);
        }
        return options.stoppingAtLayer(last + 1);
    }
}
