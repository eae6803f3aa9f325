package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.hooks.HookContext;
import dev.arrakis.hooks.HookException;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.tools.generation.Generation;
import dev.arrakis.tools.generation.GenerationListener;
import dev.arrakis.tools.generation.GenerationSettings;
import dev.arrakis.tools.generation.Generator;
import dev.arrakis.tools.gradients.GradientCache;
import dev.arrakis.tools.gradients.Gradients;
import dev.arrakis.tools.gradients.LogitMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded random work on one model for the thread and soak tests: forward passes with hooks that zero, scale or add
 * at random hook points and random caches, passes stopped early, passes continuing a key/value cache, greedy
 * generation with a key/value cache, gradient passes, and passes whose hook throws. Each job gives back its numbers
 * as one float array (or the hook point whose hook threw), so two runs of the same job compare bit for bit.
 */
final class RandomWork {
    enum Kind { FORWARD, HOOKED, STOPPED, CONTINUED, GENERATION, GRADIENT, THROWING_HOOK }

    /** What a job produced: its numbers, or the hook point named by the {@link HookException} it failed with. */
    record Outcome(float[] numbers, String failedHook) {
        static Outcome failed(HookException e) {
            return new Outcome(new float[0], e.hookName());
        }

        /** Null when equal bit for bit (NaNs compare equal), else what differs, with the values compared. */
        String differenceFrom(Outcome expected) {
            if (!java.util.Objects.equals(failedHook, expected.failedHook)) {
                return "failed at hook " + failedHook + ", expected failure at " + expected.failedHook;
            }
            if (numbers.length != expected.numbers.length) {
                return numbers.length + " numbers, expected " + expected.numbers.length;
            }
            for (int i = 0; i < numbers.length; i++) {
                if (Float.floatToIntBits(numbers[i]) != Float.floatToIntBits(expected.numbers[i])) {
                    return "number " + i + " of " + numbers.length + " is " + numbers[i] + ", expected "
                            + expected.numbers[i] + " (difference " + (numbers[i] - expected.numbers[i]) + ")";
                }
            }
            return null;
        }
    }

    record Job(Kind kind, String description, Function<HookedTransformer, Outcome> work) {
        Outcome runOn(HookedTransformer model) {
            return work.apply(model);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private final SplittableRandom random;
    private final HookedTransformer model;
    private final List<HookPoint> points;
    private final int maxLength;

    RandomWork(long seed, HookedTransformer model) {
        this.random = new SplittableRandom(seed);
        this.model = model;
        this.points = model.hookPoints().all();
        this.maxLength = Math.min(12, model.config().contextLength());
    }

    Job next(Kind... kinds) {
        Kind kind = kinds[random.nextInt(kinds.length)];
        return switch (kind) {
            case FORWARD -> forward();
            case HOOKED -> hooked();
            case STOPPED -> stopped();
            case CONTINUED -> continued();
            case GENERATION -> generation();
            case GRADIENT -> gradient();
            case THROWING_HOOK -> throwingHook();
        };
    }

    List<Job> jobs(int count, Kind... kinds) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(next(kinds));
        }
        return jobs;
    }

    /** A plain forward pass: its logits. */
    static Outcome plainLogits(HookedTransformer model, TokenBatch batch) {
        try (ForwardResult result = model.forward(batch)) {
            return new Outcome(result.logits().toFloatArray(), null);
        }
    }

    TokenBatch randomBatch(int rows, int length) {
        long[][] tokens = new long[rows][length];
        for (long[] row : tokens) {
            for (int p = 0; p < length; p++) {
                row[p] = random.nextInt(model.config().vocabSize());
            }
        }
        return TokenBatch.of(tokens);
    }

    private TokenBatch randomBatch() {
        return randomBatch(1 + random.nextInt(3), 1 + random.nextInt(maxLength));
    }

    private Job forward() {
        TokenBatch batch = randomBatch();
        return new Job(Kind.FORWARD, "forward " + shape(batch), m -> plainLogits(m, batch));
    }

    private Job hooked() {
        TokenBatch batch = randomBatch();
        Hooks hooks = randomHooks(RunOptions.none());
        return new Job(Kind.HOOKED, "run " + shape(batch) + hooks.description,
                m -> passNumbers(m, batch, hooks.options, null));
    }

    private Job stopped() {
        TokenBatch batch = randomBatch();
        int layer = random.nextInt(model.config().layers() + 1);
        Hooks hooks = randomHooks(RunOptions.none().stoppingAtLayer(layer));
        return new Job(Kind.STOPPED, "run " + shape(batch) + " stopping at layer " + layer + hooks.description,
                m -> passNumbers(m, batch, hooks.options, null));
    }

    private Job continued() {
        int rows = 1 + random.nextInt(3);
        int promptLength = 1 + random.nextInt(maxLength - 1);
        TokenBatch prompt = randomBatch(rows, promptLength);
        TokenBatch more = randomBatch(rows, 1 + random.nextInt(maxLength - promptLength));
        Hooks first = randomHooks(RunOptions.none());
        Hooks second = randomHooks(RunOptions.none());
        return new Job(Kind.CONTINUED, "run " + shape(prompt) + first.description + " then " + shape(more)
                + second.description + " on its key/value cache", m -> {
                    try (KeyValueCache cache = m.newKeyValueCache(rows)) {
                        float[] numbers = passNumbers(m, prompt, first.options, cache).numbers();
                        return new Outcome(concat(numbers, passNumbers(m, more, second.options, cache).numbers()),
                                null);
                    }
                });
    }

    private Job generation() {
        List<long[]> prompts = new ArrayList<>();
        int rows = 1 + random.nextInt(2);
        int newTokens = 2 + random.nextInt(4);
        for (int row = 0; row < rows; row++) {
            prompts.add(randomBatch(1, 1 + random.nextInt(maxLength - newTokens)).flatTokens());
        }
        Hooks hooks = randomHooks(RunOptions.none());
        return new Job(Kind.GENERATION, "greedy generation of " + newTokens + " tokens after " + rows
                + " prompts, key/value cache" + hooks.description, m -> {
                    Generation generation = Generator.generate(m, prompts, GenerationSettings.greedy(newTokens),
                            hooks.options, GenerationListener.NONE);
                    float[] numbers = new float[0];
                    for (int row = 0; row < rows; row++) {
                        numbers = concat(numbers, asFloats(generation.tokens(row)));
                    }
                    return new Outcome(numbers, null);
                });
    }

    private Job gradient() {
        TokenBatch batch = randomBatch();
        long[] answers = new long[batch.batchSize()];
        for (int row = 0; row < answers.length; row++) {
            answers[row] = random.nextInt(model.config().vocabSize());
        }
        List<String> names = randomNames(1 + random.nextInt(3));
        Hooks hooks = randomHooks(RunOptions.none());
        return new Job(Kind.GRADIENT, "gradient of the answers' log-prob at " + names + " on " + shape(batch)
                + hooks.description, m -> {
                    try (GradientCache cache = Gradients.runWithCache(m, batch, hooks.options,
                            LogitMetric.answerLogProb(answers), names)) {
                        float[] numbers = {(float) cache.metric()};
                        for (String name : cache.names()) {
                            numbers = concat(numbers, cache.activation(name).toFloatArray());
                            numbers = concat(numbers, cache.gradient(name).toFloatArray());
                        }
                        return new Outcome(numbers, null);
                    }
                });
    }

    /** A hooked pass with one more hook that throws at a random point after zero or more hooks there succeeded. */
    private Job throwingHook() {
        TokenBatch batch = randomBatch();
        Hooks hooks = randomHooks(RunOptions.none());
        HookPoint failing = points.get(random.nextInt(points.size()));
        RunOptions options = hooks.options.withHook(failing.name(), (activation, context) -> {
            // arrays made before the failure must be freed with the pass all the same
            context.scope().zeros(activation.getShape());
            throw new IllegalStateException("deliberate failure at " + context.point().name());
        });
        return new Job(Kind.THROWING_HOOK, "run " + shape(batch) + hooks.description + " and a hook at "
                + failing.name() + " that throws", m -> passNumbers(m, batch, options, null));
    }

    private static Outcome passNumbers(HookedTransformer m, TokenBatch batch, RunOptions options,
            KeyValueCache cache) {
        try (ForwardResult result = m.run(batch, options, cache)) {
            float[] numbers = (result.stoppedAtLayer().isPresent() ? result.residual() : result.logits())
                    .toFloatArray();
            for (String name : result.cache().names()) {
                numbers = concat(numbers, result.cache().get(name).toFloatArray());
            }
            return new Outcome(numbers, null);
        } catch (HookException e) {
            return Outcome.failed(e);
        }
    }

    private record Hooks(RunOptions options, String description) {}

    /**
     * Zero to three hooks that zero, scale or add, and zero to two cached points, anywhere: a point a pass stopped
     * early never reaches is simply not visited.
     */
    private Hooks randomHooks(RunOptions start) {
        RunOptions options = start;
        StringBuilder description = new StringBuilder();
        int hookCount = random.nextInt(4);
        for (int i = 0; i < hookCount; i++) {
            HookPoint point = points.get(random.nextInt(points.size()));
            switch (random.nextInt(3)) {
                case 0 -> {
                    options = options.withHook(point.name(), (a, c) -> a.zerosLike());
                    description.append(", zero ").append(point.name());
                }
                case 1 -> {
                    float factor = (float) (random.nextDouble() * 4 - 2);
                    options = options.withHook(point.name(), (a, c) -> a.mul(scalar(c, factor, a)));
                    description.append(", scale ").append(point.name()).append(" by ").append(factor);
                }
                default -> {
                    float shift = (float) (random.nextDouble() * 2 - 1);
                    options = options.withHook(point.name(), (a, c) -> a.add(scalar(c, shift, a)));
                    description.append(", add ").append(shift).append(" to ").append(point.name());
                }
            }
        }
        int cached = random.nextInt(3);
        for (int i = 0; i < cached; i++) {
            String name = points.get(random.nextInt(points.size())).name();
            options = options.withCache(name);
            description.append(", cache ").append(name);
        }
        return new Hooks(options, description.toString());
    }

    /**
     * The number as an array in the pass's scope. {@code a.mul(0.5f)} would wrap it in a Java buffer DJL frees when
     * the op returns, while a gradient pass's backward reads it later: garbage gradients (1e32 where 1e-12 was due).
     */
    private static NDArray scalar(HookContext context, float value, NDArray like) {
        return context.scope().full(new Shape(), value, like.getDataType());
    }

    private List<String> randomNames(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(points.get(random.nextInt(points.size())).name());
        }
        return names;
    }

    private static String shape(TokenBatch batch) {
        return "[" + batch.batchSize() + "x" + batch.sequenceLength() + "]";
    }

    static float[] concat(float[] first, float[] second) {
        float[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static float[] asFloats(long[] tokens) {
        float[] floats = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            floats[i] = tokens[i];
        }
        return floats;
    }
}
