package dev.arrakis.spec;

/**
 * Everything a {@code config.json} says about a model: its shape and structure, which build-time validation checks
 * experiments against, the numbers its forward pass uses, and whether its unembedding is the embedding's transpose
 * ({@code tie_word_embeddings}, with the family's default), so a checkpoint missing an untied output layer is an
 * error rather than silently tied.
 */
public record ModelDescription(ModelConfig config, Numerics numerics, boolean tiedEmbeddings) {

    public ModelDescription {
        if (numerics.attentionWindows().size() != config.layers()) {
            throw new IllegalArgumentException("one attention window per layer: " + config.layers() + " layers but "
                    + numerics.attentionWindows().size() + " windows");
        }
        boolean rotary = config.architecture().positional() == Architecture.Positional.ROTARY;
        if (rotary != (numerics.rotary() != null)) {
            throw new IllegalArgumentException(rotary ? "a rotary model needs rotary settings"
                    : "a model with learned positions has no rotary settings");
        }
        if (rotary && numerics.rotary().dimensions() > config.dHead()) {
            throw new IllegalArgumentException("rotary dimensions " + numerics.rotary().dimensions()
                    + " exceed d_head " + config.dHead());
        }
    }
}
