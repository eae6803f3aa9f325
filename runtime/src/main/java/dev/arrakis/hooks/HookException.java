package dev.arrakis.hooks;

import dev.arrakis.ArrakisException;

/** A hook failed or returned an unusable activation; the message names the hook point. */
public final class HookException extends ArrakisException {
    private static final long serialVersionUID = 1L;
    private final String hookName;

    HookException(String hookName, String problem, Throwable cause) {
        super("hook at '" + hookName + "' " + problem, cause);
        this.hookName = hookName;
    }

    public String hookName() {
        return hookName;
    }
}
