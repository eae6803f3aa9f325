package dev.arrakis.profile;

import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Times each component of a model's forward passes (embedding, each block's attention and MLP, unembedding) and
 * the resident-memory growth of each, accumulated over every pass run through it.
 *
 * <pre>{@code
 * ComponentProfiler profiler = ComponentProfiler.of(model);
 * try (ForwardResult result = profiler.run(batch, options)) {   // instead of model.run(batch, options)
 *     ...
 * }
 * ComponentProfile profile = profiler.profile();
 * }</pre>
 *
 * <p>It adds pass-through hooks that read the clock (and the resident set) at the residual-stream points between
 * components: each block's {@code hook_resid_pre}, {@code hook_resid_mid} (where the architecture has it) and
 * {@code hook_resid_post}; {@link #run} marks the start and end of the pass. Time between two marks goes to one
 * component:
 * <ul>
 *   <li>{@code embed}: pass start to {@code blocks.0.hook_resid_pre}, so it includes uploading the tokens and the
 *       embedding lookup, which happen before {@code hook_embed} fires;
 *   <li>{@code blocks.L.attn}: {@code hook_resid_pre} to {@code hook_resid_mid} (and the hand-over from the previous
 *       block's {@code hook_resid_post}, where nothing is computed);
 *   <li>{@code blocks.L.mlp}: {@code hook_resid_mid} to {@code hook_resid_post}; {@code blocks.L} covers the whole
 *       block where attention and MLP run in parallel;
 *   <li>{@code unembed}: the last block's {@code hook_resid_post} to the end of the pass: final norm and unembedding.
 * </ul>
 * A pass that stops early ({@link RunOptions#stoppingAtLayer}) has no {@code unembed}; its last block keeps the time
 * to the end of the pass. There is deliberately no mark at {@code ln_final.hook_normalized}: hooking a norm's point
 * makes the forward pass compute that norm unfused, which is slower and differs in the last bits, so the profiler
 * would change what it measures. Hooks at residual-stream points cost nothing beyond the hook itself.
 *
 * <p>The profiler's hooks run after any hooks the options already have at the same point, and change nothing; the
 * time of those other hooks therefore counts towards the component that ends at that point.
 *
 * <p>On the CPU, libtorch runs each op synchronously before returning to Java, so a hook's timestamp marks the moment
 * the computation before it finished. On a GPU, ops are queued asynchronously and the timestamps would need a device
 * synchronise at each boundary; this profiler does not do that and is meant for CPU runs.
 *
 * <p>Thread-safe; concurrent passes are all recorded, but each one's times then include the others' contention.
 */
public final class ComponentProfiler {
    private final HookedTransformer model;
    private final ProcessMemory memory;
    private final LongSupplier nanoClock;
    private final List<String> components;
    private final List<Boundary> boundaries;
    private final int embed;
    private final int unembed;

    // Accumulated over passes; guarded by this.
    private final long[] totalNanos;
    private final int[] componentPasses;
    private final long[] maxRssGrowthBytes;
    private boolean rssKnown = true;
    private int passes;
    private long wallNanos;
    private long overheadNanos;

    /**
     * A hook point where the profiler reads the clock.
     *
     * @param hookName the hook point
     * @param endsComponent the component the time since the previous boundary goes to
     * @param openAfter the component the time after this boundary goes to when a pass that stopped early ends
     *     before another boundary
     */
    private record Boundary(String hookName, int endsComponent, int openAfter) {}

    private ComponentProfiler(HookedTransformer model, ProcessMemory memory, LongSupplier nanoClock) {
        this.model = model;
        this.memory = memory;
        this.nanoClock = nanoClock;
        HookPoints points = model.hookPoints();
        List<String> names = new ArrayList<>();
        List<Boundary> marks = new ArrayList<>();
        embed = addComponent(names, "embed");
        for (int layer = 0; layer < model.config().layers(); layer++) {
            HookPoints.Block block = points.block(layer);
            String prefix = "blocks." + layer;
            if (block.residMid() == null) {
                int whole = addComponent(names, prefix);
                marks.add(new Boundary(block.residPre().name(), layer == 0 ? embed : whole, whole));
                marks.add(new Boundary(block.residPost().name(), whole, whole));
            } else {
                int attn = addComponent(names, prefix + ".attn");
                int mlp = addComponent(names, prefix + ".mlp");
                marks.add(new Boundary(block.residPre().name(), layer == 0 ? embed : attn, attn));
                marks.add(new Boundary(block.residMid().name(), attn, mlp));
                marks.add(new Boundary(block.residPost().name(), mlp, mlp));
            }
        }
        unembed = addComponent(names, "unembed");
        this.components = List.copyOf(names);
        this.boundaries = List.copyOf(marks);
        this.totalNanos = new long[components.size()];
        this.componentPasses = new int[components.size()];
        this.maxRssGrowthBytes = new long[components.size()];
    }

    private static int addComponent(List<String> names, String name) {
        names.add(name);
        return names.size() - 1;
    }

    /** A profiler for passes of this model, with nothing recorded yet. */
    public static ComponentProfiler of(HookedTransformer model) {
        return of(model, ProcessMemory.self(), System::nanoTime);
    }

    /** As {@link #of(HookedTransformer)}, reading the given memory and clock, so tests can know every reading. */
    static ComponentProfiler of(HookedTransformer model, ProcessMemory memory, LongSupplier nanoClock) {
        return new ComponentProfiler(Objects.requireNonNull(model, "model"), Objects.requireNonNull(memory, "memory"),
                Objects.requireNonNull(nanoClock, "nanoClock"));
    }

    /** Every component this model's passes can have, in forward order. */
    public List<String> components() {
        return components;
    }

    /**
     * Runs {@code model.run(batch, options)} with the profiler's hooks added and records the pass. The result is the
     * same, bit for bit, as without the profiler. A pass that throws is not recorded.
     */
    public ForwardResult run(TokenBatch batch, RunOptions options) {
        Objects.requireNonNull(options, "options");
        PassClock clock = new PassClock(boundaries.size(), memory, nanoClock);
        RunOptions instrumented = options;
        for (int i = 0; i < boundaries.size(); i++) {
            int boundary = i;
            instrumented = instrumented.withHook(boundaries.get(i).hookName(), (activation, context) -> {
                clock.mark(boundary);
                return activation;
            });
        }
        boolean unembeds = options.stopAtLayer().isEmpty();
        clock.start();
        ForwardResult result = model.run(batch, instrumented);
        if (unembeds) {
            result.logits(); // unembedded on demand otherwise, after the clock stopped
        }
        clock.end();
        record(clock, unembeds);
        return result;
    }

    /** What has been recorded so far; components that never ran are left out. */
    public synchronized ComponentProfile profile() {
        List<ComponentTiming> timings = new ArrayList<>();
        for (int c = 0; c < components.size(); c++) {
            if (componentPasses[c] > 0) {
                timings.add(new ComponentTiming(components.get(c), totalNanos[c], componentPasses[c],
                        rssKnown ? maxRssGrowthBytes[c] : -1));
            }
        }
        return new ComponentProfile(passes, wallNanos, overheadNanos, timings);
    }

    private synchronized void record(PassClock clock, boolean unembeds) {
        int count = components.size();
        long[] nanos = new long[count];
        long[] rssGrowth = new long[count];
        boolean[] ran = new boolean[count];
        long previousLeft = clock.startNanos;
        long previousRss = clock.startRss;
        boolean passRssKnown = previousRss >= 0;
        int open = embed;
        for (int i = 0; i < boundaries.size(); i++) {
            if (!clock.marked[i]) {
                continue;
            }
            int component = boundaries.get(i).endsComponent();
            nanos[component] += clock.arrivedNanos[i] - previousLeft;
            rssGrowth[component] += clock.rss[i] - previousRss;
            ran[component] = true;
            passRssKnown &= clock.rss[i] >= 0;
            overheadNanos += clock.leftNanos[i] - clock.arrivedNanos[i];
            previousLeft = clock.leftNanos[i];
            previousRss = clock.rss[i];
            open = boundaries.get(i).openAfter();
        }
        int tail = unembeds ? unembed : open;
        nanos[tail] += clock.endNanos - previousLeft;
        rssGrowth[tail] += clock.endRss - previousRss;
        ran[tail] = true;
        passRssKnown &= clock.endRss >= 0;

        rssKnown &= passRssKnown;
        for (int c = 0; c < count; c++) {
            if (ran[c]) {
                totalNanos[c] += nanos[c];
                componentPasses[c]++;
                maxRssGrowthBytes[c] = Math.max(maxRssGrowthBytes[c], rssGrowth[c]);
            }
        }
        passes++;
        wallNanos += clock.endNanos - clock.startNanos;
    }

    /** The timestamps of one pass; written only by the thread running that pass. */
    private static final class PassClock {
        private final ProcessMemory memory;
        private final LongSupplier nanoClock;
        private final boolean[] marked;
        /** When the pass reached each boundary, before the profiler read anything. */
        private final long[] arrivedNanos;
        /** When the profiler's hook at each boundary returned, so its own reads are not charged to a component. */
        private final long[] leftNanos;
        private final long[] rss;
        private long startNanos;
        private long startRss;
        private long endNanos;
        private long endRss;

        PassClock(int boundaries, ProcessMemory memory, LongSupplier nanoClock) {
            this.memory = memory;
            this.nanoClock = nanoClock;
            this.marked = new boolean[boundaries];
            this.arrivedNanos = new long[boundaries];
            this.leftNanos = new long[boundaries];
            this.rss = new long[boundaries];
        }

        void start() {
            startRss = memory.residentBytes();
            startNanos = nanoClock.getAsLong();
        }

        void mark(int boundary) {
            arrivedNanos[boundary] = nanoClock.getAsLong();
            rss[boundary] = memory.residentBytes();
            marked[boundary] = true;
            leftNanos[boundary] = nanoClock.getAsLong();
        }

        void end() {
            endNanos = nanoClock.getAsLong();
            endRss = memory.residentBytes();
        }
    }
}
