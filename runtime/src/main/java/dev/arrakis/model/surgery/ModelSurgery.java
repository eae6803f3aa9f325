package dev.arrakis.model.surgery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import dev.arrakis.spec.ShapeChecks;
import dev.arrakis.spec.SurgeryRules;
import dev.arrakis.spec.AttributeProblem;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Edits of a loaded model that produce a new model, a view: delete, permute or duplicate layers, replace a layer (from
 * another model of the same shape) or a single weight, and blend one attention head into another. Edits apply in the
 * order they are called, each to the layers as the edits before it left them.
 *
 * <p>The view shares every tensor the edits leave untouched with the original: the same {@code NDArray} objects, no
 * copy. Only replaced and blended tensors are new; they live in the view's own manager and go when the view is
 * closed. The original is never changed. Its hook points are numbered as the view's layers ({@code blocks.0} is the
 * view's first layer, whichever original layer that is). What a layer owns travels with it: its weights and its
 * attention window (sliding-window families); GPT-2's {@code scale_attn_by_inverse_layer_idx} divides by the view's
 * layer number + 1, as a checkpoint saved with the edit would.
 *
 * <pre>{@code
 * try (HookedTransformer shallow = ModelSurgery.on(model).deleteLayers(1).build()) { ... }
 * }</pre>
 *
 * <p>The view must be closed before the original, and dies with it. A builder that is never built holds the tensors
 * its edits made until the original closes.
 */
public final class ModelSurgery {
    private static final String BLOCK = "blocks.";

    private final HookedTransformer base;
    private final NDManager owned;
    private final String modelName;
    /** Each layer of the view: its weights by block-relative name ({@code attn.W_Q}) and its attention window. */
    private final List<Layer> layers = new ArrayList<>();
    /** Weights outside the blocks, by full name. */
    private final Map<String, NDArray> outside = new LinkedHashMap<>();
    private boolean built;

    private record Layer(Map<String, NDArray> weights, int attentionWindow) {
        Layer with(String name, NDArray weight) {
            Map<String, NDArray> changed = new LinkedHashMap<>(weights);
            changed.put(name, weight);
            return new Layer(changed, attentionWindow);
        }
    }

    private ModelSurgery(HookedTransformer base, NDManager owned) {
        this.base = base;
        this.owned = owned;
        this.modelName = base.source() != null ? String.valueOf(base.source().getFileName())
                : base.config().modelType();
        for (int layer = 0; layer < base.config().layers(); layer++) {
            layers.add(new Layer(new LinkedHashMap<>(), base.description().numerics().attentionWindow(layer)));
        }
        base.weights().all().forEach((name, weight) -> {
            if (name.startsWith(BLOCK)) {
                int dot = name.indexOf('.', BLOCK.length());
                int layer = Integer.parseInt(name.substring(BLOCK.length(), dot));
                layers.get(layer).weights().put(name.substring(dot + 1), weight);
            } else {
                outside.put(name, weight);
            }
        });
    }

    /** Starts editing a model: the view begins as the model itself. */
    public static ModelSurgery on(HookedTransformer model) {
        return new ModelSurgery(model, model.newViewManager());
    }

    /**
     * As {@link #on(HookedTransformer)}, the view's own arrays living in a manager inside {@code within} (a pass's or
     * a sweep point's scope, itself inside the model's manager), so that closing {@code within} frees the view.
     */
    public static ModelSurgery on(HookedTransformer model, NDManager within) {
        return new ModelSurgery(model, within.newSubManager());
    }

    /** Removes these layers (indices of the view so far); the rest keep their order and are renumbered from 0. */
    public ModelSurgery deleteLayers(int... deleted) {
        check(SurgeryRules.deleteLayers(shape(), deleted));
        boolean[] gone = new boolean[layers.size()];
        for (int layer : deleted) {
            gone[layer] = true;
        }
        List<Layer> kept = new ArrayList<>();
        for (int layer = 0; layer < layers.size(); layer++) {
            if (!gone[layer]) {
                kept.add(layers.get(layer));
            }
        }
        replaceLayers(kept);
        return this;
    }

    /** Reorders the layers: layer {@code i} of the view becomes layer {@code order[i]} of the view so far. */
    public ModelSurgery permuteLayers(int... order) {
        check(SurgeryRules.permuteLayers(shape(), order));
        List<Layer> permuted = new ArrayList<>();
        for (int layer : order) {
            permuted.add(layers.get(layer));
        }
        replaceLayers(permuted);
        return this;
    }

    /** Runs a layer twice: a second copy (the same tensors, shared) right after it; later layers move up by one. */
    public ModelSurgery duplicateLayer(int layer) {
        check(SurgeryRules.duplicateLayer(shape(), layer));
        layers.add(layer + 1, layers.get(layer));
        return this;
    }

    /**
     * Replaces a layer of the view by a layer of another model of the same shape (width, heads, MLP, architecture).
     * Its tensors are copied into the view, so the donor may be closed afterwards.
     */
    public ModelSurgery replaceLayer(int layer, HookedTransformer donor, int donorLayer) {
        shape().layer(layer).ifPresent(problem -> {
            throw new SurgeryException(problem.text());
        });
        ModelConfig mine = base.config();
        ModelConfig theirs = donor.config();
        if (!sameBlockShape(mine, theirs)) {
            throw new SurgeryException("cannot put a layer of " + describe(donor) + " into " + modelName
                    + ": its blocks have another shape (" + blockShape(theirs) + " against " + blockShape(mine) + ")");
        }
        ShapeChecks donorShape = new ShapeChecks(describe(donor), theirs);
        donorShape.layer(donorLayer).ifPresent(problem -> {
            throw new SurgeryException(problem.text());
        });
        Map<String, NDArray> copied = new LinkedHashMap<>();
        String prefix = BLOCK + donorLayer + ".";
        donor.weights().all().forEach((name, weight) -> {
            if (name.startsWith(prefix)) {
                copied.put(name.substring(prefix.length()), copy(weight));
            }
        });
        if (!copied.keySet().equals(layers.get(layer).weights().keySet())) {
            throw new SurgeryException("layer " + donorLayer + " of " + describe(donor) + " has weights "
                    + copied.keySet() + " where layer " + layer + " of " + modelName + " has "
                    + layers.get(layer).weights().keySet());
        }
        layers.set(layer, new Layer(copied, donor.description().numerics().attentionWindow(donorLayer)));
        return this;
    }

    /**
     * Replaces one weight, named as in the view ({@code blocks.0.attn.W_Q}, {@code unembed.W_U}), by a copy of the
     * given array, which must have the weight's shape.
     */
    public ModelSurgery replaceWeight(String name, NDArray value) {
        NDArray current = weight(name);
        if (!current.getShape().equals(value.getShape())) {
            throw new SurgeryException("cannot replace " + name + " " + current.getShape() + " by an array of shape "
                    + value.getShape());
        }
        put(name, copy(value));
        return this;
    }

    /**
     * Blends attention head {@code head} into head {@code into} of a layer: each of {@code into}'s own slices becomes
     * {@code (1 - alpha) * into + alpha * head} — its W_Q columns and b_Q entries, its W_K, b_K, W_V and b_V slices,
     * and its W_O rows. {@code alpha} 1 makes {@code into} a copy of {@code head}; {@code head} itself and the shared
     * output bias b_O are unchanged. With grouped-query attention the key/value slices are those of the two heads'
     * key/value heads, blended only when they differ, which then changes every query head sharing {@code into}'s.
     */
    public ModelSurgery blendHeads(int layer, int head, int into, double alpha) {
        Optional<AttributeProblem> problem = SurgeryRules.blendHeads(shape(), layer, head, into, alpha);
        check(problem);
        ModelConfig config = base.config();
        int dHead = config.dHead();
        int group = config.heads() / config.kvHeads();
        Layer current = layers.get(layer);
        Map<String, NDArray> weights = new LinkedHashMap<>(current.weights());
        weights.put("attn.W_Q", blend(weights.get("attn.W_Q"), head, into, dHead, alpha, false));
        weights.put("attn.b_Q", blend(weights.get("attn.b_Q"), head, into, dHead, alpha, false));
        if (head / group != into / group) {
            for (String name : List.of("attn.W_K", "attn.b_K", "attn.W_V", "attn.b_V")) {
                weights.put(name, blend(weights.get(name), head / group, into / group, dHead, alpha, false));
            }
        }
        weights.put("attn.W_O", blend(weights.get("attn.W_O"), head, into, dHead, alpha, true));
        layers.set(layer, new Layer(weights, current.attentionWindow()));
        return this;
    }

    /** The edited model; it shares the original's untouched tensors and must be closed before it. */
    public HookedTransformer build() {
        if (built) {
            throw new SurgeryException("this surgery was already built; start another with ModelSurgery.on");
        }
        built = true;
        Map<String, NDArray> weights = new LinkedHashMap<>(outside);
        List<Integer> windows = new ArrayList<>();
        for (int layer = 0; layer < layers.size(); layer++) {
            String prefix = BLOCK + layer + ".";
            layers.get(layer).weights().forEach((name, weight) -> weights.put(prefix + name, weight));
            windows.add(layers.get(layer).attentionWindow());
        }
        ModelDescription original = base.description();
        ModelDescription description = new ModelDescription(withLayers(original.config(), layers.size()),
                original.numerics().withAttentionWindows(windows), original.tiedEmbeddings());
        return base.view(description, weights, owned);
    }

    /** The view's layer count so far, for messages and checks. */
    private ShapeChecks shape() {
        return new ShapeChecks(modelName, withLayers(base.config(), layers.size()));
    }

    private static void check(Optional<AttributeProblem> problem) {
        if (problem.isPresent()) {
            throw new SurgeryException(problem.get().problem().text());
        }
    }

    private void replaceLayers(List<Layer> replacement) {
        layers.clear();
        layers.addAll(replacement);
    }

    private NDArray weight(String name) {
        NDArray found = find(name);
        if (found == null) {
            List<String> names = new ArrayList<>(outside.keySet());
            for (int layer = 0; layer < layers.size(); layer++) {
                String prefix = BLOCK + layer + ".";
                layers.get(layer).weights().keySet().forEach(n -> names.add(prefix + n));
            }
            throw new SurgeryException("no weight '" + name + "' in " + modelName + DidYouMean.hint(name, names));
        }
        return found;
    }

    private NDArray find(String name) {
        if (!name.startsWith(BLOCK)) {
            return outside.get(name);
        }
        int dot = name.indexOf('.', BLOCK.length());
        if (dot < 0) {
            return null;
        }
        int layer;
        try {
            layer = Integer.parseInt(name.substring(BLOCK.length(), dot));
        } catch (NumberFormatException e) {
            return null;
        }
        return layer < 0 || layer >= layers.size() ? null : layers.get(layer).weights().get(name.substring(dot + 1));
    }

    private void put(String name, NDArray weight) {
        if (!name.startsWith(BLOCK)) {
            outside.put(name, weight);
            return;
        }
        int dot = name.indexOf('.', BLOCK.length());
        int layer = Integer.parseInt(name.substring(BLOCK.length(), dot));
        layers.set(layer, layers.get(layer).with(name.substring(dot + 1), weight));
    }

    /**
     * A new array where the {@code width}-wide slice of {@code into} along the head axis (the last axis, or the first
     * for W_O) is {@code (1 - alpha) * into + alpha * head}.
     */
    private NDArray blend(NDArray weight, int head, int into, int width, double alpha, boolean rows) {
        long[] shape = weight.getShape().getShape();
        float[] values = floats(weight);
        int columns = rows ? (int) shape[shape.length - 1] : 1;
        int stride = rows ? 1 : (int) shape[shape.length - 1];
        int outer = rows ? 1 : values.length / stride;
        for (int r = 0; r < outer; r++) {
            for (int k = 0; k < width; k++) {
                for (int c = 0; c < columns; c++) {
                    int target = rows ? (into * width + k) * columns + c : r * stride + into * width + k;
                    int source = rows ? (head * width + k) * columns + c : r * stride + head * width + k;
                    values[target] = (float) ((1 - alpha) * values[target] + alpha * values[source]);
                }
            }
        }
        return create(values, weight.getShape());
    }

    private NDArray copy(NDArray weight) {
        return create(floats(weight), weight.getShape());
    }

    private float[] floats(NDArray weight) {
        if (weight.getDataType() == DataType.FLOAT32) {
            return weight.toFloatArray();
        }
        try (NDManager temporary = owned.newSubManager()) {
            NDArray widened = weight.toType(DataType.FLOAT32, true);
            widened.attach(temporary);
            return widened.toFloatArray();
        }
    }

    private NDArray create(float[] values, Shape shape) {
        NDArray created = owned.create(values, shape);
        DataType type = base.precision().dataType();
        if (type == DataType.FLOAT32) {
            return created;
        }
        NDArray narrowed = created.toType(type, false);
        created.close();
        return narrowed;
    }

    private static ModelConfig withLayers(ModelConfig config, int layers) {
        return new ModelConfig(config.modelType(), layers, config.heads(), config.kvHeads(), config.dModel(),
                config.dHead(), config.dMlp(), config.vocabSize(), config.contextLength(), config.normEps(),
                config.architecture());
    }

    private static boolean sameBlockShape(ModelConfig a, ModelConfig b) {
        return blockShape(a).equals(blockShape(b)) && a.architecture().equals(b.architecture());
    }

    private static String blockShape(ModelConfig c) {
        return "d_model " + c.dModel() + ", " + c.heads() + " heads (" + c.kvHeads() + " key/value) of " + c.dHead()
                + ", d_mlp " + c.dMlp();
    }

    private static String describe(HookedTransformer model) {
        return model.source() != null ? String.valueOf(model.source().getFileName()) : model.config().modelType();
    }
}
