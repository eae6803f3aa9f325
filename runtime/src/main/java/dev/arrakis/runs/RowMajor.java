package dev.arrakis.runs;

/** Sweep points and plot panels are numbered row-major over their axes, the last axis fastest. */
public final class RowMajor {
    private RowMajor() {}

    /** The index on each axis of the {@code flat}-th cell of a grid with these axis sizes. */
    public static int[] indices(int flat, int[] sizes) {
        int[] indices = new int[sizes.length];
        int rest = flat;
        for (int axis = sizes.length - 1; axis >= 0; axis--) {
            indices[axis] = rest % sizes[axis];
            rest /= sizes[axis];
        }
        return indices;
    }
}
