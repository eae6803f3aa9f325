package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import dev.arrakis.hooks.HookDispatcher;
import dev.arrakis.hooks.Logits;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import dev.arrakis.spec.Numerics;
import java.util.HashMap;
import java.util.Map;

/**
 * The one forward pass, driven by {@link Architecture} switches and {@link Numerics}, with a hook visit at every
 * TransformerLens hook point. Every op takes an activation (never a weight) as its receiver so that results are
 * allocated in the pass's own scope, which the caller closes; weights stay in the model's manager. Autograd flows
 * through it unchanged.
 *
 * <p>In reduced precision, norms and the attention softmax are computed in f32 and cast back, as HF does.
 */
final class TransformerForward {
    private final ModelConfig config;
    private final Numerics numerics;
    private final Architecture architecture;
    private final TransformerWeights weights;
    private final HookPoints points;
    private final Shape normalizedShape;
    private final Precision precision;

    TransformerForward(ModelDescription description, TransformerWeights weights, HookPoints points,
            Precision precision) {
        this.config = description.config();
        this.numerics = description.numerics();
        this.architecture = config.architecture();
        this.weights = weights;
        this.points = points;
        this.normalizedShape = new Shape(config.dModel());
        this.precision = precision;
    }

    /**
     * @param blocks how many blocks to run
     * @param unembed whether to apply the final norm and unembedding after them
     * @return logits {@code [batch, pos, d_vocab]}, or the residual stream when {@code unembed} is false
     */
    NDArray run(NDManager scope, TokenBatch batch, HookDispatcher hooks, int blocks, boolean unembed) {
        return run(scope, batch, hooks, blocks, unembed, null);
    }

    /**
     * As {@link #run(NDManager, TokenBatch, HookDispatcher, int, boolean)}, continuing the sequences whose keys and
     * values {@code past} holds (null: none): {@code batch} holds only the new tokens, positions continue each row's
     * count of attended tokens, and the new keys and values are appended to {@code past} as {@code hook_k} and
     * {@code hook_v} leave them, before rotation. Logits come back whole; {@link #unembed} computes them on demand.
     */
    NDArray run(NDManager scope, TokenBatch batch, HookDispatcher hooks, int blocks, boolean unembed,
            KeyValueCache past) {
        NDArray residual = residual(scope, batch, hooks, blocks, past);
        return unembed ? unembed(scope, residual, hooks).array() : residual;
    }

    /**
     * The residual stream after {@code blocks} blocks, in {@code scope}. Each block runs in a scope of its own that
     * closes when the block ends, so a pass holds one block's intermediates at a time: only the residual flowing on
     * (and what the pass shares: tokens, embeddings, masks, rotary tables, arrays hooks made in their context's scope)
     * survives a block; what a cache or hook keeps, it keeps in its own memory. Autograd still sees every
     * intermediate: libtorch's graph holds its own references to what the backward pass needs.
     */
    NDArray residual(NDManager scope, TokenBatch batch, HookDispatcher hooks, int blocks, KeyValueCache past) {
        Shape batchShape = new Shape(batch.batchSize(), batch.sequenceLength());
        NDArray tokens = libtorchOwned(scope.create(batch.flatTokens(), batchShape));
        NDArray embedding = weights.embedding().get(scope, new NDIndex("{}", tokens));
        if (numerics.embeddingMultiplier() != 1) {
            // HF rounds the multiplier to the activations' dtype before multiplying
            embedding = embedding.mul(
                    libtorchOwned(precision.narrow(scope.create((float) numerics.embeddingMultiplier()))));
        }
        NDArray residual = hooks.visit(points.embed(), embedding);
        if (architecture.positional() == Architecture.Positional.LEARNED) {
            NDArray positions = libtorchOwned(scope.create(positionIds(batch, past), batchShape));
            residual = residual.add(hooks.visit(points.posEmbed(),
                    weights.positionEmbedding().get(scope, new NDIndex("{}", positions))));
        }
        PassContext pass = new PassContext(scope, batch, precision, numerics, past);
        for (int layer = 0; layer < blocks; layer++) {
            residual = scopedBlock(layer, residual, pass, hooks, scope);
        }
        if (past != null) {
            past.advance(batch, pass.keyAngles());
        }
        return residual;
    }

    /**
     * The rest of a pass from block {@code fromLayer} on, for a sweep point that starts from its base run: the
     * blocks run on {@code residual}, the stream entering block {@code fromLayer} at the batch's positions; with
     * {@code past} (a read-only {@link KeyValueCache#prefix}) those are the positions after the prefix's, which
     * attend to its keys and values, and {@code pastFinalResidual} is the final residual stream of the prefix's
     * positions, put before the computed ones so that {@link #unembed} sees every position. Blocks run in scopes of
     * their own, as in {@link #residual}.
     *
     * @return the final residual stream {@code [batch, past + pos, d_model]}
     */
    NDArray resume(NDManager scope, TokenBatch batch, HookDispatcher hooks, int fromLayer, NDArray residual,
            KeyValueCache past, NDArray pastFinalResidual) {
        PassContext pass = new PassContext(scope, batch, precision, numerics, past);
        NDArray stream = residual;
        for (int layer = fromLayer; layer < config.layers(); layer++) {
            stream = scopedBlock(layer, stream, pass, hooks, scope);
        }
        if (past != null) {
            past.advance(batch, pass.keyAngles());
        }
        return pastFinalResidual == null ? stream : pastFinalResidual.concat(stream, 1);
    }

    /** One block in a scope of its own: its input moves in, so every op of the block allocates there. */
    private NDArray scopedBlock(int layer, NDArray input, PassContext pass, HookDispatcher hooks, NDManager scope) {
        try (NDManager blockScope = scope.newSubManager()) {
            // ops allocate in their receiver's manager: the block's input takes the whole block into its scope
            input.attach(blockScope);
            NDArray output = block(layer, input, pass, hooks);
            output.attach(scope);
            return output;
        }
    }

    /**
     * The final norm of {@code residual}, visiting its hook points as the pass always has, and logits computed from
     * it on demand (see {@link Logits}): unembedding, bias and soft-cap apply to the rows read, widened to f32. The
     * norm's output moves to {@code resultScope}, where the logits live.
     */
    Logits unembed(NDManager resultScope, NDArray residual, HookDispatcher hooks) {
        NDArray normalized = norm(points.lnFinal(), residual, weights.lnFinalWeight(), weights.lnFinalBias(), hooks);
        normalized.attach(resultScope);
        return Logits.onDemand(normalized, weights.unembedding().getShape().get(1), this::logitsOf,
                this::tokenLogitsOf);
    }

    /**
     * The logits of only {@code tokens}, {@code [..., tokens]}, of final-norm rows: their columns of the unembedding
     * (gathered as rows of its transpose, the embedding-shaped matrix), bias and soft-cap, allocated with the rows.
     */
    private NDArray tokenLogitsOf(NDArray normalizedRows, long[] tokens) {
        NDManager rows = normalizedRows.getManager();
        NDArray ids = libtorchOwned(rows.create(tokens));
        // a view of the weights: moved to the rows' manager at once, or it would stay in the model's
        NDArray byToken = weights.unembedding().transpose();
        byToken.attach(rows);
        NDArray columns = byToken.get(rows, new NDIndex("{}", ids));
        NDArray logits = normalizedRows.matMul(columns.transpose());
        if (weights.unembeddingBias() != null) {
            logits = logits.add(weights.unembeddingBias().get(rows, new NDIndex("{}", ids)));
        }
        return precision.widen(softcap(logits, numerics.finalLogitSoftcap()));
    }

    /** Logits {@code [..., d_vocab]} of final-norm rows {@code [..., d_model]}, allocated with the rows. */
    private NDArray logitsOf(NDArray normalizedRows) {
        NDArray logits = normalizedRows.matMul(weights.unembedding());
        if (weights.unembeddingBias() != null) {
            logits = logits.add(weights.unembeddingBias());
        }
        return precision.widen(softcap(logits, numerics.finalLogitSoftcap()));
    }

    private NDArray block(int layer, NDArray input, PassContext pass, HookDispatcher hooks) {
        HookPoints.Block p = points.block(layer);
        TransformerWeights.Block w = weights.block(layer);
        NDArray residPre = hooks.visit(p.residPre(), input);
        NDArray attention = attention(layer, norm(p.ln1(), residPre, w.ln1Weight(), w.ln1Bias(), hooks), pass, hooks);
        if (architecture.postNorms()) {
            attention = norm(p.ln1Post(), attention, w.ln1PostWeight(), null, hooks);
        }
        NDArray attnOut = hooks.visit(p.attnOut(), attention);
        NDArray mlpInput = architecture.parallelAttentionMlp()
                ? residPre
                : hooks.visit(p.residMid(), residPre.add(attnOut));
        NDArray mlp = mlp(layer, norm(p.ln2(), mlpInput, w.ln2Weight(), w.ln2Bias(), hooks), hooks);
        if (architecture.postNorms()) {
            mlp = norm(p.ln2Post(), mlp, w.ln2PostWeight(), null, hooks);
        }
        NDArray mlpOut = hooks.visit(p.mlpOut(), mlp);
        NDArray residPost = architecture.parallelAttentionMlp()
                ? residPre.add(attnOut).add(mlpOut)
                : mlpInput.add(mlpOut);
        return hooks.visit(p.residPost(), residPost);
    }

    private NDArray attention(int layer, NDArray x, PassContext pass, HookDispatcher hooks) {
        HookPoints.Block p = points.block(layer);
        TransformerWeights.Block w = weights.block(layer);
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int dHead = config.dHead();
        NDArray q = hooks.visit(p.q(), x.matMul(w.queryWeight()).add(w.queryBias()).reshape(batch, seq, heads, dHead));
        NDArray k = hooks.visit(p.k(), x.matMul(w.keyWeight()).add(w.keyBias()).reshape(batch, seq, kvHeads, dHead));
        NDArray v = hooks.visit(p.v(), x.matMul(w.valueWeight()).add(w.valueBias()).reshape(batch, seq, kvHeads, dHead));
        if (pass.queryRotary() != null) {
            q = hooks.visit(p.rotQ(), pass.queryRotary().rotate(q));
        }
        long keys = seq;
        if (pass.past() != null) {
            // keys are cached before rotation, as TransformerLens does: hook_rot_k then sees the whole sequence
            NDArray[] cached = pass.past().append(layer, k, v, x.getManager());
            k = cached[0];
            v = cached[1];
            keys = k.getShape().get(1);
        }
        if (pass.keyRotary() != null) {
            k = hooks.visit(p.rotK(), pass.keyRotary().rotate(k));
        }
        NDArray scores = q.transpose(0, 2, 1, 3).matMul(headsFirst(k, batch, keys).transpose(0, 1, 3, 2));
        if (numerics.attentionScale() != 1) {
            scores = scores.div(scalar(scores, numerics.attentionScale()));
        }
        if (numerics.scaleAttentionByInverseLayer()) {
            scores = scores.div(scalar(scores, layer + 1));
        }
        scores = softcap(scores, numerics.attentionSoftcap());
        AttentionMask mask = pass.mask(numerics.attentionWindow(layer));
        scores = hooks.visit(p.attnScores(), mask.apply(scores));
        NDArray probabilities = precision.narrow(precision.widen(scores).softmax(-1));
        NDArray pattern = hooks.visit(p.pattern(), mask.zeroPaddingQueries(probabilities));
        NDArray z = hooks.visit(p.z(), pattern.matMul(headsFirst(v, batch, keys)).transpose(0, 2, 1, 3));

        if (hooks.wants(p.result())) {
            NDArray perHead = z.transpose(0, 2, 1, 3).matMul(w.outputByHead()).transpose(0, 2, 1, 3);
            NDArray result = hooks.visit(p.result(), perHead);
            return result.sum(new int[] {2}).add(w.outputBias());
        }
        return z.reshape(batch, seq, (long) heads * dHead).matMul(w.outputWeight()).add(w.outputBias());
    }

    /**
     * {@code [batch, pos, kv_head, d_head]} as {@code [batch, head, pos, d_head]}: with grouped-query attention each
     * key/value head serves {@code heads / kvHeads} consecutive query heads, as HF's {@code repeat_kv} arranges.
     */
    private NDArray headsFirst(NDArray kv, long batch, long seq) {
        NDArray transposed = kv.transpose(0, 2, 1, 3);
        int kvHeads = config.kvHeads();
        if (kvHeads == config.heads()) {
            return transposed;
        }
        long group = config.heads() / kvHeads;
        long dHead = config.dHead();
        return transposed.reshape(batch, kvHeads, 1, seq, dHead)
                .broadcast(new Shape(batch, kvHeads, group, seq, dHead))
                .reshape(batch, config.heads(), seq, dHead);
    }

    private NDArray mlp(int layer, NDArray x, HookDispatcher hooks) {
        HookPoints.Block p = points.block(layer);
        TransformerWeights.Block w = weights.block(layer);
        NDArray post;
        if (architecture.gatedMlp()) {
            NDArray gateInput = x.matMul(w.mlpGateWeight());
            NDArray gate = hooks.visit(p.mlpPre(),
                    w.mlpGateBias() == null ? gateInput : gateInput.add(w.mlpGateBias()));
            NDArray linear = hooks.visit(p.mlpPreLinear(), x.matMul(w.mlpInWeight()).add(w.mlpInBias()));
            post = hooks.visit(p.mlpPost(), activation(gate).mul(linear));
        } else {
            NDArray pre = hooks.visit(p.mlpPre(), x.matMul(w.mlpInWeight()).add(w.mlpInBias()));
            post = hooks.visit(p.mlpPost(), activation(pre));
        }
        return post.matMul(w.mlpOutWeight()).add(w.mlpOutBias());
    }

    private NDArray activation(NDArray x) {
        return switch (architecture.activation()) {
            case GELU_TANH -> x.mul(scalar(x, 0.5)).mul(x.pow(scalar(x, 3)).mul(scalar(x, 0.044715)).add(x)
                    .mul(scalar(x, Math.sqrt(2 / Math.PI))).tanh().add(1f));
            case GELU_EXACT -> x.mul(x.div(scalar(x, Math.sqrt(2))).erf().add(1f)).mul(scalar(x, 0.5));
            case RELU -> x.maximum(scalar(x, 0));
            case SILU -> x.mul(ai.djl.nn.Activation.sigmoid(x));
        };
    }

    /**
     * A copy in memory libtorch owns of an array DJL made from Java memory. Autograd saves some inputs (gather indices,
     * factors) for a backward pass that may run after this pass's scope has closed; DJL's own array would then point
     * at a released Java buffer, while libtorch keeps its copy alive as long as the graph needs it.
     */
    static NDArray libtorchOwned(NDArray javaBacked) {
        return javaBacked.duplicate();
    }

    /**
     * A number to multiply, divide or compare an activation with, as an f32 scalar array in libtorch's memory. DJL's
     * {@code x.mul(0.5f)} wraps the number in a Java buffer it releases when the op returns, but autograd keeps the
     * factor for the backward pass, which would read freed memory after a garbage collection (NaN gradients).
     */
    private static NDArray scalar(NDArray activation, double value) {
        return activation.getManager().full(new Shape(), (float) value, DataType.FLOAT32);
    }

    /** {@code cap * tanh(x / cap)}, Gemma 2's soft-capping; the identity when {@code cap} is 0. */
    private static NDArray softcap(NDArray x, double cap) {
        return cap == 0 ? x : x.div(scalar(x, cap)).tanh().mul(scalar(x, cap));
    }

    /**
     * TransformerLens's LayerNorm and RMSNorm. {@code hook_scale} is the divisor and {@code hook_normalized} the
     * input centred (LayerNorm) and divided by it, BEFORE the gain and the bias, as TransformerLens visits it; gain
     * and bias then apply to whatever that hook hands back, so a replacement flows through them as it does there.
     * When nothing reads or replaces either point, libtorch's fused LayerNorm computes the same function in one pass.
     */
    private NDArray norm(HookPoints.Norm p, NDArray input, NDArray weight, NDArray bias, HookDispatcher hooks) {
        boolean hooked = hooks.wants(p.scale()) || hooks.wants(p.normalized());
        boolean layerNorm = architecture.normalization() == Architecture.Normalization.LAYER_NORM;
        if (!hooked && layerNorm && !precision.isReduced()) {
            return LayerNorm.layerNorm(input, normalizedShape, weight, bias, (float) config.normEps()).singletonOrThrow();
        }
        NDArray x = precision.widen(input);
        NDArray centered = layerNorm ? x.sub(x.mean(new int[] {-1}, true)) : x;
        NDArray scale = hooks.visit(p.scale(), precision.narrow(
                centered.pow(scalar(centered, 2)).mean(new int[] {-1}, true).add((float) config.normEps()).sqrt()));
        NDArray normalized = hooks.visit(p.normalized(), precision.narrow(centered.div(precision.widen(scale))));
        NDArray scaled = normalized.mul(weight);
        return bias == null ? scaled : scaled.add(bias);
    }

    private static long[] positionIds(TokenBatch batch, KeyValueCache past) {
        return past == null ? batch.flatPositions() : past.positionsOf(batch);
    }

    /**
     * What every layer of one pass shares: the rotary angles of its queries (the new tokens) and of its keys (every
     * cached key and the new ones; the queries' own without a cache), and one mask per distinct window.
     */
    private static final class PassContext {
        private final NDManager scope;
        private final TokenBatch batch;
        private final Precision precision;
        private final RotaryAngles queryRotary;
        private final RotaryAngles keyRotary;
        private final KeyValueCache past;
        private final RotaryAngles.Table keyAngles;
        private final Map<Integer, AttentionMask> masks = new HashMap<>();

        PassContext(NDManager scope, TokenBatch batch, Precision precision, Numerics numerics, KeyValueCache past) {
            RotaryAngles.Table queryAngles = numerics.rotary() == null ? null
                    : RotaryAngles.Table.of(positionIds(batch, past), numerics.rotary());
            this.keyAngles = queryAngles == null || past == null ? queryAngles : past.keyAnglesWith(queryAngles);
            this.scope = scope;
            this.batch = batch;
            this.precision = precision;
            this.queryRotary = queryAngles == null ? null
                    : RotaryAngles.of(scope, queryAngles, batch.batchSize(), precision);
            this.keyRotary = keyAngles == queryAngles ? queryRotary
                    : RotaryAngles.of(scope, keyAngles, batch.batchSize(), precision);
            this.past = past;
        }

        /** The rotary angles of every key of the pass, cached ones first; null without rotary positions. */
        RotaryAngles.Table keyAngles() {
            return keyAngles;
        }

        KeyValueCache past() {
            return past;
        }

        RotaryAngles queryRotary() {
            return queryRotary;
        }

        RotaryAngles keyRotary() {
            return keyRotary;
        }

        AttentionMask mask(int window) {
            return masks.computeIfAbsent(window, w -> AttentionMask.of(scope, batch, w, precision, past));
        }
    }

    /**
     * Causal masking, a sliding window where the layer has one (key j is seen by query i when i - window < j <= i, as
     * HF's {@code sliding_window_overlay}), and for left-padded batches masking of padding keys and zeroing of
     * padding queries. With cached keys, query i of the batch is sequence index {@code past.length() + i} and the
     * keys are the whole sequence so far; windows count sequence indices, padding included, as HF's cache does.
     */
    private record AttentionMask(NDArray scoreBias, NDArray attendedQueries) {

        static AttentionMask of(NDManager scope, TokenBatch batch, int window, Precision precision,
                KeyValueCache past) {
            int seq = batch.sequenceLength();
            int pastLength = past == null ? 0 : past.length();
            int keyLength = pastLength + seq;
            NDArray keys = scope.arange(keyLength).reshape(1, 1, 1, keyLength);
            NDArray queries = scope.arange(pastLength, keyLength).reshape(1, 1, seq, 1);
            NDArray allowed = keys.lte(queries);
            if (window > 0) {
                allowed = allowed.logicalAnd(keys.gt(queries.sub(window)));
            }
            NDArray attendedQueries = null;
            if (batch.hasPadding() || (past != null && past.hasPadding())) {
                float[] keyMask = past == null ? batch.flatMask() : past.keyMaskWith(batch);
                NDArray attendedKeys = libtorchOwned(scope.create(keyMask, new Shape(batch.batchSize(), keyLength)));
                allowed = allowed.logicalAnd(
                        attendedKeys.reshape(batch.batchSize(), 1, 1, keyLength).toType(DataType.BOOLEAN, false));
            }
            if (batch.hasPadding()) {
                NDArray attended = libtorchOwned(scope.create(batch.flatMask(), new Shape(batch.batchSize(), seq)));
                attendedQueries = attended.reshape(batch.batchSize(), 1, seq, 1).toType(precision.dataType(), false);
            }
            // 0 where attention is allowed, the dtype's most negative finite value where not (HF's mask value):
            // finite, so gradients never meet NaN; an added bias broadcasts where DJL's where does not.
            NDArray scoreBias = allowed.toType(DataType.FLOAT32, false).sub(1f).mul(-precision.lowestFinite())
                    .toType(precision.dataType(), false);
            return new AttentionMask(scoreBias, attendedQueries);
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
