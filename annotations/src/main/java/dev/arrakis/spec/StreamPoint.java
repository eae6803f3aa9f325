package dev.arrakis.spec;

import dev.arrakis.annotations.StackResidual;
import java.util.Optional;

/**
 * A place in the residual stream: the input of a block's attention, the input of its MLP, or the end of the model
 * (what the final norm reads). TransformerLens writes these as {@code layer} plus {@code mlp_input}; {@code layer ==
 * n_layers} is the end.
 *
 * @param layer the block whose input this is, or the number of layers for the end
 * @param mlpInput whether it is the input of that block's MLP ({@code resid_mid}) rather than of its attention
 */
public record StreamPoint(int layer, boolean mlpInput) {

    /** The residual entering block {@code layer}: {@code blocks.{layer}.hook_resid_pre}, read by {@code ln1}. */
    public static StreamPoint beforeLayer(int layer) {
        return new StreamPoint(layer, false);
    }

    /** The residual entering block {@code layer}'s MLP: {@code blocks.{layer}.hook_resid_mid}, read by {@code ln2}. */
    public static StreamPoint beforeMlp(int layer) {
        return new StreamPoint(layer, true);
    }

    /**
     * The point a {@code @StackResidual(layer, mlpInput)} names: {@code layer} {@link StackResidual#END} is the end
     * of this model; any other value is taken as written (and may not exist, see {@link #problem}).
     */
    public static StreamPoint requested(int layer, boolean mlpInput, ModelConfig config) {
        return new StreamPoint(layer == StackResidual.END ? config.layers() : layer, mlpInput);
    }

    /** The residual after the last block, which {@code ln_final} reads. */
    public static StreamPoint end(ModelConfig config) {
        return new StreamPoint(config.layers(), false);
    }

    /** Whether this is the end of a model with that many layers. */
    public boolean isEnd(int layers) {
        return layer == layers && !mlpInput;
    }

    @Override
    public String toString() {
        return mlpInput ? "the MLP input of layer " + layer : "the input of layer " + layer;
    }

    /**
     * Why the model has no such point, naming it and the model's range: a layer out of range, the MLP input of the
     * end, or a {@code resid_mid} that a parallel block lacks.
     */
    public Optional<Problem> problem(ModelConfig config) {
        int layers = config.layers();
        String what = mlpInput ? "MLP input" : "block input";
        if (layer < 0 || layer > layers) {
            return Optional.of(Problem.of(Message.STREAM_POINT, config.modelType(), what, layer,
                    "layers 0.." + (layers - 1) + ", or " + layers + " for the end of the model"));
        }
        if (mlpInput && layer == layers) {
            return Optional.of(Problem.of(Message.STREAM_POINT, config.modelType(), what, layer,
                    "the end of the model has none; the last MLP input is at layer " + (layers - 1)));
        }
        if (mlpInput && config.architecture().parallelAttentionMlp()) {
            return Optional.of(Problem.of(Message.STREAM_POINT, config.modelType(), what, layer,
                    "attention and MLP run in parallel, so the MLP reads the block input and there is no resid_mid"));
        }
        return Optional.empty();
    }

    /** The hook holding the residual stream here; the point must exist ({@link #problem}). */
    public HookPoint residualHook(HookPoints points) {
        int layers = points.config().layers();
        if (isEnd(layers)) {
            return points.block(layers - 1).residPost();
        }
        HookPoints.Block block = points.block(layer);
        return mlpInput ? block.residMid() : block.residPre();
    }

    /** The hook of the cached scale of the norm that reads the stream here: ln1, ln2 or ln_final. */
    public HookPoint normScaleHook(HookPoints points) {
        if (isEnd(points.config().layers())) {
            return points.lnFinal().scale();
        }
        HookPoints.Block block = points.block(layer);
        return (mlpInput ? block.ln2() : block.ln1()).scale();
    }
}
