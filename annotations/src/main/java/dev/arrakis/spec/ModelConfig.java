package dev.arrakis.spec;

/**
 * A model's shape and architecture, independent of where its weights came from.
 *
 * @param modelType the HF {@code model_type}, e.g. {@code gpt2}
 * @param layers number of transformer blocks
 * @param heads attention heads per block
 * @param kvHeads key/value heads per block (equal to {@code heads} without grouped-query attention)
 * @param dModel width of the residual stream
 * @param dHead width of one attention head
 * @param dMlp hidden width of the MLP
 * @param vocabSize rows of the embedding and columns of the unembedding
 * @param contextLength the longest sequence the model accepts
 * @param normEps epsilon of every normalisation
 */
public record ModelConfig(
        String modelType,
        int layers,
        int heads,
        int kvHeads,
        int dModel,
        int dHead,
        int dMlp,
        int vocabSize,
        int contextLength,
        double normEps,
        Architecture architecture) {

    public ModelConfig {
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("dModel", dModel);
        requirePositive("dHead", dHead);
        requirePositive("dMlp", dMlp);
        requirePositive("vocabSize", vocabSize);
        requirePositive("contextLength", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(
                    "heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
