package dev.arrakis.hooks;

import dev.arrakis.spec.HookPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one forward pass should do besides computing logits: which activations to cache, which hooks to run, and
 * where to stop. Immutable; each {@code with...} returns a new value. Hooks live only for the pass they are given
 * to, so nothing stays attached to the model afterwards, whether the pass succeeds or throws.
 */
public final class RunOptions {
    private static final RunOptions NONE = new RunOptions(Map.of(), null, Set.of(), OptionalInt.empty());

    private final Map<String, List<Hook>> hooks;
    /** Which points to cache; null when the pass caches nothing. */
    private final Predicate<HookPoint> cacheFilter;
    private final Set<String> namedForCache;
    private final OptionalInt stopAtLayer;

    private RunOptions(
            Map<String, List<Hook>> hooks,
            Predicate<HookPoint> cacheFilter,
            Set<String> namedForCache,
            OptionalInt stopAtLayer) {
        this.hooks = hooks;
        this.cacheFilter = cacheFilter;
        this.namedForCache = namedForCache;
        this.stopAtLayer = stopAtLayer;
    }

    /** A plain forward pass: logits only. */
    public static RunOptions none() {
        return NONE;
    }

    /** Adds a hook at a named point; several hooks at one point run in the order they were added. */
    public RunOptions withHook(String hookName, Hook hook) {
        Objects.requireNonNull(hookName, "hookName");
        Objects.requireNonNull(hook, "hook");
        Map<String, List<Hook>> copy = new LinkedHashMap<>();
        hooks.forEach((name, list) -> copy.put(name, new ArrayList<>(list)));
        copy.computeIfAbsent(hookName, name -> new ArrayList<>()).add(hook);
        copy.replaceAll((name, list) -> List.copyOf(list));
        return new RunOptions(Collections.unmodifiableMap(copy), cacheFilter, namedForCache, stopAtLayer);
    }

    /**
     * Adds a typed hook, e.g. {@code withHook(Gpt2Hooks.blocks(9).attn().pattern(), (pattern, context) -> ...)}:
     * the hook receives an {@code AttentionPattern} and must return one, so a residual-stream hook does not compile
     * there.
     */
    public <A extends Activation> RunOptions withHook(TypedHook<A> point, ActivationHook<A> hook) {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(hook, "hook");
        return withHook(point.name(), (activation, context) -> {
            A replaced = hook.apply(Activations.wrap(point.type(), activation), context);
            return replaced == null ? null : replaced.array();
        });
    }

    /** Caches exactly these typed hook points; read them back with {@link ActivationCache#get(TypedHook)}. */
    public RunOptions withCache(TypedHook<?>... points) {
        return withCache(Arrays.stream(points).map(TypedHook::name).toArray(String[]::new));
    }

    /** Caches exactly these hook points; each name must exist in the model. */
    public RunOptions withCache(String... hookNames) {
        Set<String> names = new LinkedHashSet<>(namedForCache);
        names.addAll(Arrays.asList(hookNames));
        Set<String> frozen = Collections.unmodifiableSet(names);
        return new RunOptions(hooks, orCache(point -> frozen.contains(point.name())), frozen, stopAtLayer);
    }

    /** Caches every hook point whose name passes the filter, opt-in points such as {@code hook_result} included. */
    public RunOptions withCacheFilter(Predicate<String> nameFilter) {
        Objects.requireNonNull(nameFilter, "nameFilter");
        return new RunOptions(hooks, orCache(point -> nameFilter.test(point.name())), namedForCache, stopAtLayer);
    }

    /** Caches every hook point that is computed anyway: all but the opt-in ones. */
    public RunOptions withCacheAll() {
        return new RunOptions(hooks, orCache(point -> !point.optIn()), namedForCache, stopAtLayer);
    }

    private Predicate<HookPoint> orCache(Predicate<HookPoint> more) {
        return cacheFilter == null ? more : cacheFilter.or(more);
    }

    /**
     * Runs blocks {@code 0 .. layer-1} only; the pass then returns the residual stream entering block
     * {@code layer} instead of logits. A negative layer counts from the end, as in TransformerLens.
     */
    public RunOptions stoppingAtLayer(int layer) {
        return new RunOptions(hooks, cacheFilter, namedForCache, OptionalInt.of(layer));
    }

    public Map<String, List<Hook>> hooks() {
        return hooks;
    }

    public boolean caches(HookPoint point) {
        return cacheFilter != null && cacheFilter.test(point);
    }

    /** Names given explicitly to {@link #withCache}, validated against the model before the pass starts. */
    public Set<String> namedForCache() {
        return namedForCache;
    }

    public OptionalInt stopAtLayer() {
        return stopAtLayer;
    }
}
