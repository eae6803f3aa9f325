package dev.arrakis.annotations;

/** Values with a special meaning inside intervention annotations. */
public final class Sweep {

    /**
     * Every valid index of that attribute, one run each: {@code @Ablate(layer = Sweep.ALL, head = Sweep.ALL)} is a
     * layer by head grid of runs. It must be the attribute's only element.
     */
    public static final int ALL = Integer.MIN_VALUE;

    private Sweep() {}
}
