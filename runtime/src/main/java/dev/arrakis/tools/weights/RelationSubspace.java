package dev.arrakis.tools.weights;

import ai.djl.ndarray.NDManager;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.HookedTransformer;
import java.util.ArrayList;
import java.util.List;

/**
 * The strongest directions of one head's QK circuit, what the seed calls its knowledge-graph or relation subspace:
 * the SVD {@code W_Q·W_Kᵀ = Σ s_i·u_i·v_iᵀ}, so the head's attention score between a destination residual {@code x}
 * and a source residual {@code y} is {@code Σ s_i·(x·u_i)·(y·v_i)}: the head matches a destination that reads
 * {@code u_i} with a source that offers {@code v_i}, weighted by {@code s_i}. Plain Java values.
 *
 * @param singularValues the top {@code s_i}, descending
 * @param queryDirections {@code u_i}, unit vectors in the residual stream ({@code [rank][d_model]}); each up to sign,
 *     together with its key direction
 * @param keyDirections {@code v_i}, unit vectors in the residual stream ({@code [rank][d_model]})
 * @param capturedShare {@code Σ_{i<rank} s_i² / Σ_i s_i²}: the share of the circuit's squared Frobenius norm in
 *     these directions
 */
public record RelationSubspace(int layer, int head, float[] singularValues, float[][] queryDirections,
        float[][] keyDirections, double capturedShare) {

    /** The top-{@code rank} subspace of every head's QK circuit, layer by layer, head by head. */
    public static List<RelationSubspace> ofEveryHead(HookedTransformer model, int rank) {
        int dHead = model.config().dHead();
        if (rank < 1 || rank > dHead) {
            throw new ArrakisException("relation subspace rank " + rank + " is outside 1.." + dHead
                    + " (a QK circuit has rank at most d_head)");
        }
        int layers = model.config().layers();
        int heads = model.config().heads();
        int dModel = model.config().dModel();
        List<RelationSubspace> subspaces = new ArrayList<>();
        try (NDManager work = model.weights().embedding().getManager().newSubManager()) {
            FactoredMatrix.Svd svd = HeadCircuits.qk(model, work).svd();
            int k = (int) svd.s().getShape().getLastDimension();
            float[] s = svd.s().toFloatArray();
            float[] u = svd.u().toFloatArray();
            float[] v = svd.v().toFloatArray();
            for (int layer = 0; layer < layers; layer++) {
                for (int head = 0; head < heads; head++) {
                    int index = layer * heads + head;
                    float[] values = new float[rank];
                    double total = 0;
                    double captured = 0;
                    for (int i = 0; i < k; i++) {
                        double squared = (double) s[index * k + i] * s[index * k + i];
                        total += squared;
                        if (i < rank) {
                            captured += squared;
                            values[i] = s[index * k + i];
                        }
                    }
                    subspaces.add(new RelationSubspace(layer, head, values, columns(u, index, dModel, k, rank),
                            columns(v, index, dModel, k, rank), total == 0 ? 0 : captured / total));
                }
            }
        }
        return subspaces;
    }

    /** The first {@code rank} columns of matrix {@code index} in a row-major {@code [..., rows, k]} array. */
    private static float[][] columns(float[] values, int index, int rows, int k, int rank) {
        float[][] columns = new float[rank][rows];
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < rank; i++) {
                columns[i][row] = values[(index * rows + row) * k + i];
            }
        }
        return columns;
    }
}
