package dev.arrakis.tools.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.ModelConfig;
import java.util.function.BiFunction;

/**
 * Every attention head's two circuits (Elhage et al. 2021, "A Mathematical Framework for Transformer Circuits";
 * TransformerLens's {@code model.OV} and {@code model.QK}), as factored matrices over {@code [layer, head]}:
 * <ul>
 *   <li>OV: {@code W_V[h]·W_O[h]}, {@code d_model × d_head × d_model}: what a head writes for the residual vector it
 *       attends to ({@code x·W_V·W_O}, row-vector convention).
 *   <li>QK: {@code W_Q[h]·W_K[h]ᵀ}: the bilinear form whose value {@code x_dest·W_Q·W_Kᵀ·x_srcᵀ} is the
 *       attention score before scaling, biases and rotary (rotary makes it the circuit at relative distance 0).
 * </ul>
 * With grouped-query attention a query head uses its group's key and value weights, as TransformerLens's
 * {@code repeat_interleave} and HF's {@code repeat_kv} arrange: query head {@code h} reads KV head
 * {@code h / (heads / kv_heads)}. Reads only weights: no forward pass, no hook point. Weights in reduced precision
 * are widened to f32.
 */
public final class HeadCircuits {
    private HeadCircuits() {}

    /** {@code W_V·W_O} for every head, shape {@code [layers, heads, d_model, d_model]}; arrays in {@code manager}. */
    public static FactoredMatrix ov(HookedTransformer model, NDManager manager) {
        ModelConfig config = model.config();
        NDArray values = stackLayers(model, manager,
                (work, block) -> byQueryHead(work, block.valueWeight(), config.kvHeads(), config));
        NDArray outputs = stackLayers(model, manager,
                (work, block) -> FactoredMatrix.in(work, block.outputByHead()).toType(DataType.FLOAT32, false));
        return FactoredMatrix.of(manager, values, outputs);
    }

    /** {@code W_Q·W_Kᵀ} for every head, shape {@code [layers, heads, d_model, d_model]}; arrays in {@code manager}. */
    public static FactoredMatrix qk(HookedTransformer model, NDManager manager) {
        ModelConfig config = model.config();
        NDArray queries = stackLayers(model, manager,
                (work, block) -> byQueryHead(work, block.queryWeight(), config.heads(), config));
        NDArray keysTransposed = stackLayers(model, manager,
                (work, block) -> byQueryHead(work, block.keyWeight(), config.kvHeads(), config).swapAxes(-1, -2));
        return FactoredMatrix.of(manager, queries, keysTransposed);
    }

    /**
     * A fused {@code [d_model, heads·d_head]} projection as {@code [heads, d_model, d_head]} per query head: with
     * fewer KV heads, each is repeated for the query heads of its group.
     */
    private static NDArray byQueryHead(NDManager work, NDArray fused, int fusedHeads, ModelConfig config) {
        long dModel = config.dModel();
        long dHead = config.dHead();
        NDArray heads = FactoredMatrix.in(work, fused).toType(DataType.FLOAT32, false)
                .reshape(dModel, fusedHeads, dHead).transpose(1, 0, 2);
        if (fusedHeads == config.heads()) {
            return heads;
        }
        long group = config.heads() / fusedHeads;
        return heads.reshape(fusedHeads, 1, dModel, dHead).broadcast(fusedHeads, group, dModel, dHead)
                .reshape(config.heads(), dModel, dHead);
    }

    private static NDArray stackLayers(HookedTransformer model, NDManager manager,
            BiFunction<NDManager, TransformerWeights.Block, NDArray> perLayer) {
        return FactoredMatrix.kept(manager, work -> {
            NDList layers = new NDList();
            for (int layer = 0; layer < model.config().layers(); layer++) {
                layers.add(perLayer.apply(work, model.weights().block(layer)));
            }
            return NDArrays.stack(layers);
        });
    }
}
