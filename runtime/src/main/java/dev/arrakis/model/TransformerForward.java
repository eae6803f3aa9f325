package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import dev.arrakis.hooks.HookDispatcher;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.ModelConfig;

/**
 * The one forward pass, driven by {@link Architecture} switches, with a hook visit at every TransformerLens hook
 * point. Every op takes an activation (never a weight) as its receiver so that results are allocated in the pass's
 * own scope, which the caller closes; weights stay in the model's manager. Autograd flows through it unchanged.
 */
final class TransformerForward {
    /**
     * HF's mask value ({@code torch.finfo(float32).min}): finite, so gradients never meet NaN, and large enough that
     * adding it to any real score gives exactly this value.
     */
    private static final float MASKED_SCORE = -Float.MAX_VALUE;

    private final ModelConfig config;
    private final TransformerWeights weights;
    private final HookPoints points;
    private final Shape normalizedShape;

    TransformerForward(ModelConfig config, TransformerWeights weights, HookPoints points) {
        Architecture architecture = config.architecture();
        if (!architecture.equals(Architecture.gpt2Style(architecture.activation(),
                architecture.scaleAttentionByHeadDim(), architecture.scaleAttentionByInverseLayer()))) {
            throw new ModelLoadException("the forward pass does not implement " + architecture + " yet ("
                    + config.modelType() + ")");
        }
        this.config = config;
        this.weights = weights;
        this.points = points;
        this.normalizedShape = new Shape(config.dModel());
    }

    /**
     * @param blocks how many blocks to run
     * @param unembed whether to apply the final norm and unembedding after them
     * @return logits {@code [batch, pos, d_vocab]}, or the residual stream when {@code unembed} is false
     */
    NDArray run(NDManager scope, TokenBatch batch, HookDispatcher hooks, int blocks, boolean unembed) {
        Shape batchShape = new Shape(batch.batchSize(), batch.sequenceLength());
        NDArray tokens = scope.create(batch.flatTokens(), batchShape);
        NDArray positions = scope.create(batch.flatPositions(), batchShape);
        NDArray embed = hooks.visit(points.embed(), weights.embedding().get(scope, new NDIndex("{}", tokens)));
        NDArray posEmbed = hooks.visit(points.posEmbed(),
                weights.positionEmbedding().get(scope, new NDIndex("{}", positions)));
        NDArray residual = embed.add(posEmbed);
        AttentionMask mask = AttentionMask.of(scope, batch);
        for (int layer = 0; layer < blocks; layer++) {
            residual = block(layer, residual, mask, hooks);
        }
        if (!unembed) {
            return residual;
        }
        NDArray normalized = layerNorm(points.lnFinal(), residual, weights.lnFinalWeight(), weights.lnFinalBias(), hooks);
        return normalized.matMul(weights.unembedding());
    }

    private NDArray block(int layer, NDArray input, AttentionMask mask, HookDispatcher hooks) {
        HookPoints.Block p = points.block(layer);
        TransformerWeights.Block w = weights.block(layer);
        NDArray residPre = hooks.visit(p.residPre(), input);
        NDArray attnIn = layerNorm(p.ln1(), residPre, w.ln1Weight(), w.ln1Bias(), hooks);
        NDArray attnOut = hooks.visit(p.attnOut(), attention(layer, attnIn, mask, hooks));
        NDArray residMid = hooks.visit(p.residMid(), residPre.add(attnOut));
        NDArray mlpIn = layerNorm(p.ln2(), residMid, w.ln2Weight(), w.ln2Bias(), hooks);
        NDArray mlpOut = hooks.visit(p.mlpOut(), mlp(layer, mlpIn, hooks));
        return hooks.visit(p.residPost(), residMid.add(mlpOut));
    }

    private NDArray attention(int layer, NDArray x, AttentionMask mask, HookDispatcher hooks) {
        HookPoints.Block p = points.block(layer);
        TransformerWeights.Block w = weights.block(layer);
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        int heads = config.heads();
        int dHead = config.dHead();
        NDArray q = hooks.visit(p.q(), x.matMul(w.queryWeight()).add(w.queryBias()).reshape(batch, seq, heads, dHead));
        NDArray k = hooks.visit(p.k(),
                x.matMul(w.keyWeight()).add(w.keyBias()).reshape(batch, seq, config.kvHeads(), dHead));
        NDArray v = hooks.visit(p.v(),
                x.matMul(w.valueWeight()).add(w.valueBias()).reshape(batch, seq, config.kvHeads(), dHead));

        NDArray scores = q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1));
        if (config.architecture().scaleAttentionByHeadDim()) {
            scores = scores.div(Math.sqrt(dHead));
        }
        if (config.architecture().scaleAttentionByInverseLayer()) {
            scores = scores.div(layer + 1);
        }
        scores = hooks.visit(p.attnScores(), mask.apply(scores));
        NDArray pattern = hooks.visit(p.pattern(), mask.zeroPaddingQueries(scores.softmax(-1)));
        NDArray z = hooks.visit(p.z(), pattern.matMul(v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3));

        if (hooks.wants(p.result())) {
            NDArray perHead = z.transpose(0, 2, 1, 3).matMul(w.outputByHead()).transpose(0, 2, 1, 3);
            NDArray result = hooks.visit(p.result(), perHead);
            return result.sum(new int[] {2}).add(w.outputBias());
        }
        return z.reshape(batch, seq, (long) heads * dHead).matMul(w.outputWeight()).add(w.outputBias());
    }

    private NDArray mlp(int layer, NDArray x, HookDispatcher hooks) {
        HookPoints.Block p = points.block(layer);
        TransformerWeights.Block w = weights.block(layer);
        NDArray pre = hooks.visit(p.mlpPre(), x.matMul(w.mlpInWeight()).add(w.mlpInBias()));
        NDArray post = hooks.visit(p.mlpPost(), activation(pre));
        return post.matMul(w.mlpOutWeight()).add(w.mlpOutBias());
    }

    private NDArray activation(NDArray x) {
        return switch (config.architecture().activation()) {
            case GELU_TANH -> x.mul(0.5f).mul(x.pow(3).mul(0.044715f).add(x).mul((float) Math.sqrt(2 / Math.PI))
                    .tanh().add(1f));
            case GELU_EXACT -> x.mul(x.div((float) Math.sqrt(2)).erf().add(1f)).mul(0.5f);
            case RELU -> x.maximum(0f);
            case SILU -> x.mul(ai.djl.nn.Activation.sigmoid(x));
        };
    }

    /**
     * TransformerLens's LayerNorm: the scale and the scaled-and-shifted output are both hook points. When nothing
     * reads or replaces either, libtorch's fused kernel computes the same function in one pass instead of nine.
     */
    private NDArray layerNorm(HookPoints.Norm p, NDArray x, NDArray weight, NDArray bias, HookDispatcher hooks) {
        if (!hooks.wants(p.scale()) && !hooks.wants(p.normalized())) {
            return LayerNorm.layerNorm(x, normalizedShape, weight, bias, (float) config.normEps()).singletonOrThrow();
        }
        NDArray centered = x.sub(x.mean(new int[] {-1}, true));
        NDArray scale = hooks.visit(p.scale(),
                centered.pow(2).mean(new int[] {-1}, true).add((float) config.normEps()).sqrt());
        return hooks.visit(p.normalized(), centered.div(scale).mul(weight).add(bias));
    }

    /** Causal masking plus, for left-padded batches, masking of padding keys and zeroing of padding queries. */
    private record AttentionMask(NDArray scoreBias, NDArray attendedQueries) {

        static AttentionMask of(NDManager scope, TokenBatch batch) {
            int seq = batch.sequenceLength();
            NDArray index = scope.arange(seq);
            NDArray allowed = index.reshape(1, 1, 1, seq).lte(index.reshape(1, 1, seq, 1));
            NDArray queries = null;
            if (batch.hasPadding()) {
                NDArray attended = scope.create(batch.flatMask(), new Shape(batch.batchSize(), seq));
                allowed = allowed.logicalAnd(attended.reshape(batch.batchSize(), 1, 1, seq).toType(DataType.BOOLEAN, false));
                queries = attended.reshape(batch.batchSize(), 1, seq, 1);
            }
            // 0 where attention is allowed, MASKED_SCORE where not: an added bias broadcasts, DJL's where does not.
            NDArray scoreBias = allowed.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED_SCORE);
            return new AttentionMask(scoreBias, queries);
        }

        NDArray apply(NDArray scores) {
            return scores.add(scoreBias);
        }

        /** A padding query attends to nothing; TransformerLens gives it an all-zero pattern, and so do we. */
        NDArray zeroPaddingQueries(NDArray pattern) {
            return attendedQueries == null ? pattern : pattern.mul(attendedQueries);
        }
    }
}
