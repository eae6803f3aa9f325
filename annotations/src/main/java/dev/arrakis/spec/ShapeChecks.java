package dev.arrakis.spec;

import dev.arrakis.util.DidYouMean;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The checks of an experiment against a model's shape, shared by the annotation processor (which reports a
 * {@link Problem} on the offending annotation value) and the runtime (which rejects a bad command-line override
 * before loading anything). Each check returns the problem, or empty when the value is valid.
 */
public final class ShapeChecks {
    private final String modelName;
    private final ModelConfig config;
    private final HookPoints points;
    /** Hook names of this shape under every architecture variant, built on first need: most checks never ask. */
    private Set<String> namesInAnyArchitecture;

    /**
     * @param modelName what messages call the model: its catalogue name or its config path
     */
    public ShapeChecks(String modelName, ModelConfig config) {
        this.modelName = modelName;
        this.config = config;
        this.points = new HookPoints(config);
    }

    public String modelName() {
        return modelName;
    }

    public ModelConfig config() {
        return config;
    }

    public HookPoints hookPoints() {
        return points;
    }

    public Optional<Problem> layer(int layer) {
        return inRange(layer, config.layers()) ? Optional.empty()
                : Optional.of(Problem.of(Message.LAYER_RANGE, layer, modelName, config.layers() - 1));
    }

    public Optional<Problem> head(int head) {
        return inRange(head, config.heads()) ? Optional.empty()
                : Optional.of(Problem.of(Message.HEAD_RANGE, head, modelName, config.heads() - 1));
    }

    public Optional<Problem> kvHead(int head) {
        return inRange(head, config.kvHeads()) ? Optional.empty()
                : Optional.of(Problem.of(Message.KV_HEAD_RANGE, head, modelName, config.kvHeads() - 1));
    }

    public Optional<Problem> neuron(int neuron) {
        return inRange(neuron, config.dMlp()) ? Optional.empty()
                : Optional.of(Problem.of(Message.NEURON_RANGE, neuron, modelName, config.dMlp() - 1));
    }

    /** A position can be checked only against the context length; negative positions count from the end. */
    public Optional<Problem> position(int position) {
        int context = config.contextLength();
        return position < context && position >= -context ? Optional.empty()
                : Optional.of(Problem.of(Message.POSITION_RANGE, position, modelName, context - 1));
    }

    private static boolean inRange(int index, int size) {
        return index >= 0 && index < size;
    }

    /** True for names written inside a block ({@code attn.hook_z}) rather than in full ({@code blocks.3.attn.hook_z}). */
    public boolean isBlockRelative(String hook) {
        return !hook.startsWith("blocks.") && !points.contains(hook) && points.config().layers() > 0
                && (points.contains("blocks.0." + hook) || knownAnywhere("blocks.0." + hook));
    }

    /**
     * The hook point of a full name, or the problem: unknown (with the nearest names), or known to other
     * architectures but not this one (a rotary model has no {@code hook_pos_embed}).
     */
    public Optional<Problem> hook(String fullName) {
        if (points.contains(fullName)) {
            return Optional.empty();
        }
        if (knownAnywhere(fullName)) {
            return Optional.of(Problem.of(Message.HOOK_NOT_IN_ARCHITECTURE, modelName, fullName,
                    describe(config.architecture())));
        }
        Set<String> candidates = new LinkedHashSet<>();
        points.all().forEach(point -> candidates.add(point.name()));
        return Optional.of(Problem.of(Message.UNKNOWN_HOOK, fullName, modelName,
                DidYouMean.hint(fullName, candidates)));
    }

    /**
     * A hook name as an annotation gives it: a full name, or a name inside each block ({@code attn.hook_z}, checked
     * against block 0). Unlike {@link #hook(String)}, the suggestions for an unknown name include the names inside
     * a block, so {@code attn.hook_patern} suggests {@code attn.hook_pattern}.
     */
    public Optional<Problem> hookAsWritten(String hook) {
        if (isBlockRelative(hook)) {
            return hook("blocks.0." + hook);
        }
        if (points.contains(hook) || knownAnywhere(hook)) {
            return hook(hook);
        }
        java.util.regex.Matcher block = BLOCK_NAME.matcher(hook);
        int layer = block.matches() ? parseLayer(block.group(1)) : -1;
        if (layer >= config.layers() && (points.contains("blocks.0." + block.group(2))
                || knownAnywhere("blocks.0." + block.group(2)))) {
            return layer(layer);
        }
        if (layer >= 0 && layer < config.layers()) {
            // Named in its block: suggest fixes within that block, judged on the name inside it.
            Set<String> inBlock = new LinkedHashSet<>();
            points.all().stream().filter(point -> point.layer() == layer)
                    .forEach(point -> inBlock.add(point.blockRelativeName()));
            String written = block.group(2);
            java.util.List<String> near = DidYouMean.nearest(written, inBlock, 3);
            int best = near.isEmpty() ? 0 : DidYouMean.editDistance(written, near.get(0));
            String hint = DidYouMean.phrase(near.stream()
                    .filter(name -> DidYouMean.editDistance(written, name) == best)
                    .map(name -> "blocks." + layer + "." + name)
                    .toList());
            return Optional.of(Problem.of(Message.UNKNOWN_HOOK, hook, modelName, hint));
        }
        Set<String> candidates = new LinkedHashSet<>();
        points.all().forEach(point -> {
            candidates.add(point.name());
            candidates.add(point.blockRelativeName());
        });
        return Optional.of(Problem.of(Message.UNKNOWN_HOOK, hook, modelName, DidYouMean.hint(hook, candidates)));
    }

    private static final java.util.regex.Pattern BLOCK_NAME = java.util.regex.Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    private static int parseLayer(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException tooLarge) {
            return Integer.MAX_VALUE;
        }
    }

    /** The hook point of a full name that {@link #hook(String)} accepted. */
    public HookPoint point(String fullName) {
        return points.get(fullName);
    }

    private boolean knownAnywhere(String fullName) {
        if (namesInAnyArchitecture == null) {
            namesInAnyArchitecture = new java.util.HashSet<>();
            for (Architecture variant : VARIANTS) {
                ModelConfig other = new ModelConfig(config.modelType(), config.layers(), config.heads(),
                        config.kvHeads(), config.dModel(), config.dHead(), config.dMlp(), config.vocabSize(),
                        config.contextLength(), config.normEps(), variant);
                new HookPoints(other).all().forEach(point -> namesInAnyArchitecture.add(point.name()));
            }
        }
        return namesInAnyArchitecture.contains(fullName);
    }

    private static final java.util.List<Architecture> VARIANTS = java.util.List.of(
            Architecture.gpt2Style(Architecture.Activation.GELU_TANH),
            Architecture.llamaStyle(Architecture.Activation.SILU).withPostNorms(true));

    private static String describe(Architecture architecture) {
        return switch (architecture.positional()) {
            case ROTARY -> "rotary positions";
            case LEARNED -> "learned positions";
        } + (architecture.parallelAttentionMlp() ? ", parallel attention and MLP" : "")
                + (architecture.gatedMlp() ? ", gated MLP" : ", plain MLP")
                + (architecture.postNorms() ? ", post-norms" : "");
    }
}
