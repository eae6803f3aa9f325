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

    /**
     * A config built by name, one value at a time, as generated runners write their shape: a call of the
     * eleven-argument constructor would not say which number is which.
     */
    public static Builder builder(String modelType) {
        return new Builder(modelType);
    }

    /** Every value must be set; {@link #build()} checks them as the constructor does. */
    public static final class Builder {
        private final String modelType;
        private int layers;
        private int heads;
        private int kvHeads;
        private int dModel;
        private int dHead;
        private int dMlp;
        private int vocabSize;
        private int contextLength;
        private double normEps = Double.NaN;
        private Architecture architecture;

        private Builder(String modelType) {
            this.modelType = modelType;
        }

        public Builder layers(int value) {
            layers = value;
            return this;
        }

        public Builder heads(int value) {
            heads = value;
            return this;
        }

        public Builder kvHeads(int value) {
            kvHeads = value;
            return this;
        }

        public Builder dModel(int value) {
            dModel = value;
            return this;
        }

        public Builder dHead(int value) {
            dHead = value;
            return this;
        }

        public Builder dMlp(int value) {
            dMlp = value;
            return this;
        }

        public Builder vocabSize(int value) {
            vocabSize = value;
            return this;
        }

        public Builder contextLength(int value) {
            contextLength = value;
            return this;
        }

        public Builder normEps(double value) {
            normEps = value;
            return this;
        }

        public Builder architecture(Architecture value) {
            architecture = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value not set or not valid */
        public ModelConfig build() {
            if (Double.isNaN(normEps)) {
                throw new IllegalArgumentException("normEps was not set");
            }
            if (architecture == null) {
                throw new IllegalArgumentException("architecture was not set");
            }
            return new ModelConfig(modelType, layers, heads, kvHeads, dModel, dHead, dMlp, vocabSize, contextLength,
                    normEps, architecture);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
