package dev.arrakis.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.arrakis.spec.Architecture.Normalization;
import dev.arrakis.spec.ModelDescription;

/**
 * Which of TransformerLens's weight rewrites to apply at load ({@code load_and_process_state_dict}). None changes the
 * model's log-probabilities; they change the weights so that each one reads more simply. Off by default: a model
 * loaded without processing computes exactly what HF computes, raw logits included.
 *
 * @param foldLayerNorm multiply each norm's gain (and add its bias) into the weights that read the norm's output (ln1
 *     into W_Q/W_K/W_V, ln2 into W_in/W_gate, ln_final into W_U); with LayerNorm also centre those reading weights
 *     over d_model. The norms then only normalise: their weights become ones and their biases zeros.
 * @param centerWritingWeights subtract the d_model mean from everything that writes into the residual stream (W_E,
 *     W_pos, W_O, b_O, W_out, b_out); valid only because every reader starts with a LayerNorm, so RMSNorm models
 *     skip it, as TransformerLens does
 * @param centerUnembed subtract the vocabulary mean from W_U (and b_U): log-probs stay, raw logits change
 * @param foldValueBiases move b_V into b_O ({@code b_O += Σ_h b_V[h] · W_O[h]}), since attention rows sum to one
 */
public record WeightProcessing(
        boolean foldLayerNorm, boolean centerWritingWeights, boolean centerUnembed, boolean foldValueBiases) {

    /** The weights exactly as the checkpoint has them. */
    public static WeightProcessing none() {
        return new WeightProcessing(false, false, false, false);
    }

    /** What TransformerLens's {@code from_pretrained} applies by default: all four. */
    public static WeightProcessing transformerLensDefaults() {
        return new WeightProcessing(true, true, true, true);
    }

    /**
     * The steps that are valid for this model, as TransformerLens decides: centring writing weights needs LayerNorm
     * (an RMSNorm does not remove the mean), and centring the unembedding needs logits without a final soft-cap
     * (Gemma 2), since {@code cap·tanh(x/cap)} does not commute with a shift.
     */
    public WeightProcessing effectiveFor(ModelDescription description) {
        boolean layerNorm = description.config().architecture().normalization() == Normalization.LAYER_NORM;
        boolean softcapped = description.numerics().finalLogitSoftcap() != 0;
        return new WeightProcessing(foldLayerNorm, centerWritingWeights && layerNorm, centerUnembed && !softcapped,
                foldValueBiases);
    }

    /** Derived from the four steps, so a run record (JSON) holds the steps only. */
    @JsonIgnore
    public boolean isNone() {
        return !foldLayerNorm && !centerWritingWeights && !centerUnembed && !foldValueBiases;
    }
}
