package dev.arrakis.tools.generation;

import dev.arrakis.ArrakisException;

/** Generation settings or prompts the decoder cannot honour; the message names the setting at fault. */
public final class GenerationException extends ArrakisException {
    public GenerationException(String message) {
        super(message);
    }
}
