package dev.arrakis.tools.residual;

import dev.arrakis.spec.HookPoints;

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

    /** The residual after the last block, which {@code ln_final} reads. */
    public static StreamPoint end(HookPoints points) {
        return new StreamPoint(points.config().layers(), false);
    }

    /** Whether this is the end of a model with that many layers. */
    public boolean isEnd(int layers) {
        return layer == layers && !mlpInput;
    }

    @Override
    public String toString() {
        return mlpInput ? "the MLP input of layer " + layer : "the input of layer " + layer;
    }

    /** The hook holding the residual stream at this point. */
    String residualHook(HookPoints points) {
        check(points);
        int layers = points.config().layers();
        if (isEnd(layers)) {
            return points.block(layers - 1).residPost().name();
        }
        HookPoints.Block block = points.block(layer);
        return mlpInput ? block.residMid().name() : block.residPre().name();
    }

    /** The hook of the cached scale of the norm that reads the stream here: ln1, ln2 or ln_final. */
    String normScaleHook(HookPoints points) {
        check(points);
        if (isEnd(points.config().layers())) {
            return points.lnFinal().scale().name();
        }
        HookPoints.Block block = points.block(layer);
        return (mlpInput ? block.ln2() : block.ln1()).scale().name();
    }

    /** Refuses a point the model does not have, naming it and the model's range. */
    void check(HookPoints points) {
        int layers = points.config().layers();
        if (layer < 0 || layer > layers) {
            throw new ResidualStreamException("layer " + layer + " does not exist in "
                    + points.config().modelType() + " (layers 0.." + (layers - 1) + ", or " + layers
                    + " for the end of the model)");
        }
        if (mlpInput && layer == layers) {
            throw new ResidualStreamException("the end of the model (layer " + layer + ") has no MLP input; "
                    + "the last MLP input is beforeMlp(" + (layers - 1) + ")");
        }
        if (mlpInput && points.config().architecture().parallelAttentionMlp()) {
            throw new ResidualStreamException(points.config().modelType() + " runs attention and MLP in parallel: "
                    + "its MLP reads the block input, so there is no MLP input (resid_mid) at layer " + layer);
        }
    }
}
