package dev.arrakis.spec;

import dev.arrakis.ArrakisException;

/** A hook point name that the model does not have. */
public final class UnknownHookPointException extends ArrakisException {
    private static final long serialVersionUID = 1L;
    private final String hookName;

    UnknownHookPointException(String hookName, String modelType, String hint) {
        super("no hook point '" + hookName + "' in this " + modelType + " model" + hint);
        this.hookName = hookName;
    }

    public String hookName() {
        return hookName;
    }
}
