package dev.arrakis.tools.tracing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.annotations.Restore;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.TraceRules;
import dev.arrakis.tools.ScopedArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Causal tracing (Meng et al. 2022, "Locating and editing factual associations in GPT", ROME's {@code causal_trace}).
 * The subject tokens' embeddings ({@code hook_embed}, before positions are added, as ROME adds noise to the output of
 * {@code wte}) get Gaussian noise of standard deviation {@code noise x sigma}, where sigma is the standard deviation of
 * every entry of the token embedding matrix {@code W_E} (ROME measures it over the embeddings of a text corpus; the
 * whole vocabulary is our corpus-free stand-in, stated in docs/tools/causal-tracing.md). The corrupted prompt is then
 * run once per (layer, position) with the clean run's activation written back there, and the answer's probability at
 * the last position is read. Sample {@code s} of prompt {@code i} uses the same noise at every grid point, drawn by
 * {@link #noise}.
 *
 * <p>Every grid point of every sample is a row of a batched pass (at most {@link #MAX_ROWS} rows a pass), whose
 * hooks add each row's noise at {@code hook_embed} and restore each row's cell: the grid costs
 * {@code ceil(samples x (layers x positions + 1) / MAX_ROWS)} passes per prompt instead of one pass per cell.
 */
public final class CausalTracing {
    /** Rows of one batched pass: bounds native memory whatever the grid's size. */
    static final int MAX_ROWS = 256;

    private CausalTracing() {}

    /** One row of a batched pass: a noise sample, restored at one cell, or at none ({@code layer = -1}). */
    private record Row(int sample, int layer, int position) {}

    /** Traces every prompt and averages their maps, with the seeded noise of {@link #noise}. */
    public static CausalTraceMap trace(HookedTransformer model, SubjectPrompts prompts, TraceOptions options) {
        return trace(model, prompts, options, TraceNoise.seeded(options.seed()));
    }

    /** As {@link #trace(HookedTransformer, SubjectPrompts, TraceOptions)} with noise from {@code source}. */
    public static CausalTraceMap trace(HookedTransformer model, SubjectPrompts prompts, TraceOptions options,
            TraceNoise source) {
        int layers = model.config().layers();
        checkWindow(options, layers);
        List<HookPoint> restored = restoredHooks(model.hookPoints(), options.restore());
        double sigma = embeddingStd(model);
        int length = prompts.length();
        double[][][] byPrompt = new double[prompts.size()][][];
        double[] clean = new double[prompts.size()];
        double[] corrupted = new double[prompts.size()];
        for (int prompt = 0; prompt < prompts.size(); prompt++) {
            long[] tokens = prompts.prompt(prompt);
            model.checkSequenceLength(tokens.length);
            long answer = prompts.answer(prompt);
            checkAnswer(model, prompt, answer);
            int[] subject = prompts.subject(prompt);
            float[][][] noise = new float[options.samples()][][];
            for (int sample = 0; sample < options.samples(); sample++) {
                noise[sample] = source.draw(prompt, sample, subject.length, model.config().dModel(),
                        options.noise() * sigma);
                if (noise[sample].length != subject.length || Arrays.stream(noise[sample])
                        .anyMatch(row -> row.length != model.config().dModel())) {
                    throw new TracingException("the noise of prompt " + prompt + ", sample " + sample + " must be "
                            + subject.length + " x " + model.config().dModel() + " (subject positions x d_model)");
                }
            }
            String[] names = restored.stream().map(HookPoint::name).toArray(String[]::new);
            try (ForwardResult cleanPass = model.run(TokenBatch.of(tokens), RunOptions.none().withCache(names))) {
                clean[prompt] = answerProbabilities(cleanPass.logits(), answer)[0];
                List<Row> rows = new ArrayList<>();
                for (int sample = 0; sample < options.samples(); sample++) {
                    rows.add(new Row(sample, -1, -1));
                    for (int layer = 0; layer < layers; layer++) {
                        for (int position = 0; position < length; position++) {
                            rows.add(new Row(sample, layer, position));
                        }
                    }
                }
                double[][] map = new double[layers][length];
                for (int from = 0; from < rows.size(); from += MAX_ROWS) {
                    List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + MAX_ROWS));
                    float[] probabilities = runChunk(model, tokens, answer, subject, noise, chunk, restored,
                            cleanPass, options.window(), layers);
                    for (int row = 0; row < chunk.size(); row++) {
                        Row cell = chunk.get(row);
                        double share = probabilities[row] / options.samples();
                        if (cell.layer() < 0) {
                            corrupted[prompt] += share;
                        } else {
                            map[cell.layer()][cell.position()] += share;
                        }
                    }
                }
                byPrompt[prompt] = map;
            }
        }
        double[][] mean = new double[layers][length];
        for (double[][] map : byPrompt) {
            for (int layer = 0; layer < layers; layer++) {
                for (int position = 0; position < length; position++) {
                    mean[layer][position] += map[layer][position] / prompts.size();
                }
            }
        }
        return new CausalTraceMap(options.restore(), options.window(), mean, Arrays.stream(clean).average()
                .orElseThrow(), Arrays.stream(corrupted).average().orElseThrow(), byPrompt, clean, corrupted);
    }

    /**
     * The noise of one sample: {@code rows x dModel} draws of {@code N(0, std^2)} from
     * {@code new Random(seed)} advanced by {@code prompt} and {@code sample} (see the code), one row per subject
     * position in the order the prompt lists them.
     */
    public static float[][] noise(long seed, int prompt, int sample, int rows, int dModel, double std) {
        // Mixing prompt and sample into the seed keeps each sample's noise the same however many samples are asked.
        Random random = new Random(seed * 1_000_003L + prompt * 10_007L + sample);
        float[][] values = new float[rows][dModel];
        for (float[] row : values) {
            for (int i = 0; i < dModel; i++) {
                row[i] = (float) (random.nextGaussian() * std);
            }
        }
        return values;
    }

    /** The standard deviation of every entry of {@code W_E}, the sigma the noise is scaled by. */
    public static double embeddingStd(HookedTransformer model) {
        float[] values;
        try (NDManager scope = NDManager.newBaseManager()) {
            values = ScopedArrays.weight(model.weights().embedding(), scope).toFloatArray();
        }
        double mean = 0;
        for (float value : values) {
            mean += value;
        }
        mean /= values.length;
        double squares = 0;
        for (float value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / values.length);
    }

    /** The layers a restore at {@code layer} writes: ROME's {@code range(max(0, l - w//2), min(L, l - (-w//2)))}. */
    public static int[] windowLayers(int layer, int window, int layers) {
        int from = Math.max(0, layer - window / 2);
        int to = Math.min(layers, layer + (window + 1) / 2);
        int[] range = new int[to - from];
        for (int i = 0; i < range.length; i++) {
            range[i] = from + i;
        }
        return range;
    }

    /** The hook point restored at each layer, in layer order. */
    public static List<HookPoint> restoredHooks(HookPoints points, Restore restore) {
        List<HookPoint> hooks = new ArrayList<>();
        for (int layer = 0; layer < points.config().layers(); layer++) {
            HookPoints.Block block = points.block(layer);
            HookPoint point = switch (restore) {
                case RESIDUAL -> block.residPost();
                case MLP -> block.mlpOut();
                case ATTENTION -> block.attnOut();
            };
            if (point == null) {
                throw new TracingException("cannot restore " + restore + ": block " + layer + " of this model has no "
                        + (restore == Restore.MLP ? "MLP" : "attention") + " output to restore");
            }
            hooks.add(point);
        }
        return hooks;
    }

    private static float[] runChunk(HookedTransformer model, long[] tokens, long answer, int[] subject,
            float[][][] noise, List<Row> chunk, List<HookPoint> restored, ForwardResult cleanPass, int window, int layers) {
        int rows = chunk.size();
        int length = tokens.length;
        int dModel = model.config().dModel();
        long[][] batch = new long[rows][];
        Arrays.fill(batch, tokens);
        float[] added = new float[rows * length * dModel];
        for (int row = 0; row < rows; row++) {
            float[][] sampleNoise = noise[chunk.get(row).sample()];
            for (int s = 0; s < subject.length; s++) {
                System.arraycopy(sampleNoise[s], 0, added, (row * length + subject[s]) * dModel, dModel);
            }
        }
        Hook corrupt = (activation, context) -> activation.add(context.scope().create(added,
                new Shape(rows, length, dModel)).toType(activation.getDataType(), false));
        RunOptions options = RunOptions.none().withHook(model.hookPoints().embed().name(), corrupt);
        for (int layer = 0; layer < layers; layer++) {
            float[] mask = new float[rows * length];
            boolean any = false;
            for (int row = 0; row < rows; row++) {
                Row cell = chunk.get(row);
                if (cell.layer() >= 0 && contains(windowLayers(cell.layer(), window, layers), layer)) {
                    mask[row * length + cell.position()] = 1f;
                    any = true;
                }
            }
            if (any) {
                NDArray clean = cleanPass.cache().get(restored.get(layer).name());
                options = options.withHook(restored.get(layer).name(), (activation, context) -> {
                    NDManager scope = context.scope();
                    NDArray where = scope.create(mask, new Shape(rows, length, 1)).toType(activation.getDataType(),
                            false);
                    NDArray cleanHere = ScopedArrays.view(clean, scope).toType(activation.getDataType(), false);
                    // activation + where * (clean - activation): the clean value where the mask is 1, else unchanged.
                    return activation.add(cleanHere.sub(activation).mul(where));
                });
            }
        }
        try (ForwardResult pass = model.run(TokenBatch.of(batch), options)) {
            return answerProbabilities(pass.logits(), answer);
        }
    }

    private static float[] answerProbabilities(NDArray logits, long answer) {
        try (NDManager scope = NDManager.newBaseManager()) {
            NDArray last = ScopedArrays.view(logits, scope).get(new NDIndex(":, -1, :")).toType(DataType.FLOAT32,
                    false);
            return last.softmax(-1).get(new NDIndex(":, {}", answer)).toFloatArray();
        }
    }

    private static boolean contains(int[] values, int value) {
        for (int candidate : values) {
            if (candidate == value) {
                return true;
            }
        }
        return false;
    }

    private static void checkWindow(TraceOptions options, int layers) {
        Optional<Problem> problem = TraceRules.window(options.restore(), options.window(), layers);
        if (problem.isPresent()) {
            throw new TracingException(problem.get().text());
        }
    }

    private static void checkAnswer(HookedTransformer model, int prompt, long answer) {
        int vocab = model.config().vocabSize();
        if (answer < 0 || answer >= vocab) {
            throw new TracingException("answer token " + answer + " of prompt " + prompt + " is outside the"
                    + " vocabulary (0.." + (vocab - 1) + ")");
        }
    }
}
