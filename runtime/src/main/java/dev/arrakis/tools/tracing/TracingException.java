package dev.arrakis.tools.tracing;

import dev.arrakis.ArrakisException;

/** Causal tracing was asked for something the prompts or the model cannot give. */
public class TracingException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public TracingException(String message) {
        super(message);
    }
}
