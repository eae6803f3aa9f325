package dev.arrakis.tools.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.plot.Plots;
import dev.arrakis.runs.ArrayResult;
import dev.arrakis.runs.ArrayValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How strongly each head's output feeds each later head's query, key or value (Elhage et al. 2021), as TransformerLens's
 * {@code HookedTransformer.all_composition_scores}: for an earlier head's OV circuit {@code L} and a later head's
 * circuit {@code R}, {@code score = ‖L·R‖_F / (‖L‖_F·‖R‖_F)}, where {@code R} is the later head's QK circuit
 * (Q-composition: the earlier head's output reaches the query side), its transpose {@code (W_Q·W_Kᵀ)ᵀ}
 * (K-composition: the key side) or its OV circuit (V-composition). Pairs whose later head is not in a strictly later
 * layer score 0 (TransformerLens's upper-triangular mask). Reads only weights: no forward pass, no hook point.
 */
public final class CompositionScores implements ArrayResult {
    /** One pair of heads and its score. */
    public record HeadPair(int earlierLayer, int earlierHead, int laterLayer, int laterHead, double score) {
        @Override
        public String toString() {
            return String.format("L%dH%d -> L%dH%d %.4f", earlierLayer, earlierHead, laterLayer, laterHead, score);
        }
    }

    private final CompositionKind kind;
    private final int layers;
    private final int heads;
    private final double[] scores;

    private CompositionScores(CompositionKind kind, int layers, int heads, double[] scores) {
        this.kind = kind;
        this.layers = layers;
        this.heads = heads;
        this.scores = scores;
    }

    /** The scores of every pair of heads, {@code [layer, head, layer, head]}; nothing is kept in native memory. */
    public static CompositionScores of(HookedTransformer model, CompositionKind kind) {
        int layers = model.config().layers();
        int heads = model.config().heads();
        double[] scores = new double[layers * heads * layers * heads];
        try (NDManager work = model.weights().embedding().getManager().newSubManager()) {
            FactoredMatrix ov = HeadCircuits.ov(model, work);
            FactoredMatrix later = switch (kind) {
                case Q -> HeadCircuits.qk(model, work);
                case K -> HeadCircuits.qk(model, work).transpose();
                case V -> ov;
            };
            for (int earlier = 0; earlier < layers; earlier++) {
                FactoredMatrix left = ov.get(earlier);
                for (int laterLayer = earlier + 1; laterLayer < layers; laterLayer++) {
                    float[] block = between(left, later.get(laterLayer)).toFloatArray();
                    for (int h1 = 0; h1 < heads; h1++) {
                        for (int h2 = 0; h2 < heads; h2++) {
                            scores[((earlier * heads + h1) * layers + laterLayer) * heads + h2] = block[h1 * heads + h2];
                        }
                    }
                }
            }
        }
        return new CompositionScores(kind, layers, heads, scores);
    }

    /**
     * {@code ‖L·R‖_F / (‖L‖_F·‖R‖_F)} for every left matrix against every right matrix, shaped
     * {@code [left leading axes..., right leading axes...]}, in the left matrix's manager (TransformerLens's
     * {@code utils.composition_scores} with {@code broadcast_dims}). Works through the inner dimensions in double
     * precision: with {@code X = B_L·A_R}, {@code ‖A_L·X·B_R‖² = Σ (A_LᵀA_L·X·B_R·B_Rᵀ) ⊙ X}.
     *
     * @throws ArrakisException when L's columns are not R's rows
     */
    public static NDArray between(FactoredMatrix left, FactoredMatrix right) {
        if (left.rdim() != right.ldim()) {
            throw new ArrakisException("composition needs the left matrix's columns to equal the right matrix's rows; "
                    + "got " + left.shape() + " and " + right.shape());
        }
        long p = left.leadingShape().size();
        long q = right.leadingShape().size();
        long m1 = left.mdim();
        long m2 = right.mdim();
        long d = left.rdim();
        Shape resultShape = left.leadingShape().addAll(right.leadingShape());
        return FactoredMatrix.kept(left.manager(), work -> {
            NDArray leftA = f64(work, left.a()).reshape(p, left.ldim(), m1);
            NDArray leftB = f64(work, left.b()).reshape(p, m1, d);
            NDArray rightA = f64(work, right.a()).reshape(q, d, m2);
            NDArray rightB = f64(work, right.b()).reshape(q, m2, right.rdim());
            NDArray leftGram = FactoredMatrix.gram(leftA, true);
            NDArray rightGram = FactoredMatrix.gram(rightB, false);
            NDArray middle = leftB.reshape(p * m1, d).matMul(rightA.transpose(1, 0, 2).reshape(d, q * m2))
                    .reshape(p, m1, q, m2).transpose(0, 2, 1, 3);
            NDArray productSquared = leftGram.reshape(p, 1, m1, m1).matMul(middle)
                    .matMul(rightGram.reshape(1, q, m2, m2)).mul(middle).sum(new int[] {-2, -1});
            NDArray leftNorm = leftGram.mul(FactoredMatrix.gram(leftB, false)).sum(new int[] {-2, -1}).sqrt();
            NDArray rightNorm = FactoredMatrix.gram(rightA, true).mul(rightGram).sum(new int[] {-2, -1}).sqrt();
            return productSquared.maximum(0).sqrt().div(leftNorm.reshape(p, 1)).div(rightNorm.reshape(1, q))
                    .toType(DataType.FLOAT32, false).reshape(resultShape);
        });
    }

    public CompositionKind kind() {
        return kind;
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    /** The score of the earlier head's output composing with the later head; 0 unless the later layer is later. */
    public double score(int earlierLayer, int earlierHead, int laterLayer, int laterHead) {
        check(earlierLayer, earlierHead);
        check(laterLayer, laterHead);
        return scores[((earlierLayer * heads + earlierHead) * layers + laterLayer) * heads + laterHead];
    }

    /** {@code [layer, head, later layer, later head]}, as the run store records it and plots draw it. */
    @Override
    public ArrayValue toArrayValue() {
        return new ArrayValue("CompositionScores", new long[] {layers, heads, layers, heads}, scores);
    }

    /** All scores, row-major {@code [layer, head, layer, head]}. */
    public double[] flat() {
        return scores.clone();
    }

    /** The {@code count} highest-scoring pairs, highest first. */
    public List<HeadPair> strongest(int count) {
        List<HeadPair> pairs = new ArrayList<>();
        for (int l1 = 0; l1 < layers; l1++) {
            for (int h1 = 0; h1 < heads; h1++) {
                for (int l2 = l1 + 1; l2 < layers; l2++) {
                    for (int h2 = 0; h2 < heads; h2++) {
                        pairs.add(new HeadPair(l1, h1, l2, h2, score(l1, h1, l2, h2)));
                    }
                }
            }
        }
        pairs.sort(Comparator.comparingDouble(HeadPair::score).reversed());
        return pairs.subList(0, Math.min(count, pairs.size()));
    }

    /**
     * Every head against every head as a heatmap, earlier heads down ({@code L0H0, L0H1, ...}), later heads across;
     * the entries below a later layer are 0.
     */
    public PlotRequest heatmap() {
        List<String> labels = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (int head = 0; head < heads; head++) {
                labels.add("L" + layer + "H" + head);
            }
        }
        int count = layers * heads;
        double[][] values = new double[count][count];
        for (int row = 0; row < count; row++) {
            System.arraycopy(scores, row * count, values[row], 0, count);
        }
        return Plots.heatmap(kind + "-composition scores", "earlier head (OV)", labels, "later head", labels, values);
    }

    private void check(int layer, int head) {
        if (layer < 0 || layer >= layers || head < 0 || head >= heads) {
            throw new ArrakisException("no head L" + layer + "H" + head + ": this model has layers 0.." + (layers - 1)
                    + " and heads 0.." + (heads - 1));
        }
    }

    private static NDArray f64(NDManager work, NDArray array) {
        return FactoredMatrix.in(work, array).toType(DataType.FLOAT64, false);
    }
}
