package dev.arrakis.tools.flow;

/** Which input projection of an attention head reads the residual stream: its query, key or value weights. */
public enum HeadInput {
    QUERY,
    KEY,
    VALUE
}
