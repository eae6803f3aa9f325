package dev.arrakis.spec;


/** A named axis of an activation, with its size for a given model and input. */
public enum Dim {
    BATCH("batch"),
    POS("pos"),
    QUERY_POS("query_pos"),
    KEY_POS("key_pos"),
    HEAD("head"),
    KV_HEAD("kv_head"),
    D_HEAD("d_head"),
    D_MODEL("d_model"),
    D_MLP("d_mlp"),
    VOCAB("d_vocab"),
    ONE("1");

    private final String label;

    Dim(String label) {
        this.label = label;
    }

    /** The TransformerLens-style label used in listings, e.g. {@code d_model}. */
    public String label() {
        return label;
    }

    public long size(ModelConfig config, long batch, long seq) {
        return switch (this) {
            case BATCH -> batch;
            case POS, QUERY_POS, KEY_POS -> seq;
            case HEAD -> config.heads();
            case KV_HEAD -> config.kvHeads();
            case D_HEAD -> config.dHead();
            case D_MODEL -> config.dModel();
            case D_MLP -> config.dMlp();
            case VOCAB -> config.vocabSize();
            case ONE -> 1;
        };
    }
}
