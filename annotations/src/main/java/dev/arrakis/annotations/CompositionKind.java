package dev.arrakis.annotations;

/**
 * Which side of a later head an earlier head's output composes with (Elhage et al. 2021): its query (Q), its key (K)
 * or its value (V).
 */
public enum CompositionKind {
    Q,
    K,
    V
}
