package dev.arrakis.spec;

import static dev.arrakis.spec.Dim.BATCH;
import static dev.arrakis.spec.Dim.D_HEAD;
import static dev.arrakis.spec.Dim.D_MLP;
import static dev.arrakis.spec.Dim.D_MODEL;
import static dev.arrakis.spec.Dim.HEAD;
import static dev.arrakis.spec.Dim.KEY_POS;
import static dev.arrakis.spec.Dim.KV_HEAD;
import static dev.arrakis.spec.Dim.ONE;
import static dev.arrakis.spec.Dim.POS;
import static dev.arrakis.spec.Dim.QUERY_POS;
import static dev.arrakis.spec.Dim.VOCAB;

import java.util.List;

/**
 * What an activation is, as its axes say: the type a hook point's value has in typed code. The runtime has one
 * class per kind (named {@link #typeName()} in {@code dev.arrakis.hooks}) and the annotation processor binds
 * parameters by these names, so a pattern can never be bound where a residual is expected.
 */
public enum ActivationKind {
    /** {@code [batch, pos, d_model]}: the residual stream and everything written into it. */
    RESIDUAL("Residual", List.of(BATCH, POS, D_MODEL)),
    /** {@code [batch, pos, head, d_head]}: queries, keys, values, mixed values (keys and values per kv head). */
    HEAD_VECTORS("HeadVectors", List.of(BATCH, POS, HEAD, D_HEAD), List.of(BATCH, POS, KV_HEAD, D_HEAD)),
    /** {@code [batch, head, query_pos, key_pos]}: attention scores and the pattern. */
    ATTENTION("AttentionPattern", List.of(BATCH, HEAD, QUERY_POS, KEY_POS)),
    /** {@code [batch, pos, d_mlp]}: MLP neurons before and after the non-linearity. */
    NEURONS("Neurons", List.of(BATCH, POS, D_MLP)),
    /** {@code [batch, pos, 1]}: a normalisation's divisor. */
    NORM_SCALE("NormScale", List.of(BATCH, POS, ONE)),
    /** {@code [batch, pos, head, d_model]}: each head's output in the residual basis. */
    HEAD_RESULTS("HeadResults", List.of(BATCH, POS, HEAD, D_MODEL)),
    /** {@code [batch, pos, d_vocab]}: the unembedded output. */
    LOGITS("Logits", List.of(BATCH, POS, VOCAB));

    private final String typeName;
    private final List<List<Dim>> dimsAccepted;

    @SafeVarargs
    ActivationKind(String typeName, List<Dim>... dims) {
        this.typeName = typeName;
        this.dimsAccepted = List.of(dims);
    }

    /** The simple name of the runtime class that holds this kind, e.g. {@code AttentionPattern}. */
    public String typeName() {
        return typeName;
    }

    /** The package of those runtime classes. */
    public static String typePackage() {
        return "dev.arrakis.hooks";
    }

    public static ActivationKind of(List<Dim> dims) {
        for (ActivationKind kind : values()) {
            if (kind.dimsAccepted.contains(dims)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no activation kind has axes " + dims);
    }
}
