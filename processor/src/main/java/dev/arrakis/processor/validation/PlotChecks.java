package dev.arrakis.processor.validation;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Whether a run's result can be drawn (rule 5): a number per sweep point over the swept axes, a numeric array or
 * list as a line, a two-dimensional array as a heatmap, an {@code NDArray} or activation as its own picture.
 */
final class PlotChecks {
    private static final String PLOTTABLE = "return a number per sweep point, a numeric array or"
            + " List<? extends Number>, a two-dimensional array, an NDArray, an activation or a tool's table";

    /** What a result is, as far as drawing goes. */
    enum Shape { VOID, NUMBER, VECTOR, MATRIX, ARRAY, ATTENTION, OTHER }

    private final RuntimeTypes runtime;

    PlotChecks(RuntimeTypes runtime) {
        this.runtime = runtime;
    }

    Shape shape(TypeMirror type) {
        if (type.getKind() == TypeKind.VOID) {
            return Shape.VOID;
        }
        if (isNumber(type)) {
            return Shape.NUMBER;
        }
        if (type instanceof ArrayType array) {
            if (isNumber(array.getComponentType())) {
                return Shape.VECTOR;
            }
            if (array.getComponentType() instanceof ArrayType inner && isNumber(inner.getComponentType())) {
                return Shape.MATRIX;
            }
            return Shape.OTHER;
        }
        if (type.getKind() == TypeKind.DECLARED && runtime.types.isAssignable(type, runtime.listOfNumbers)) {
            return Shape.VECTOR;
        }
        if (runtime.isSubtype(type, runtime.attentionPattern)) {
            return Shape.ATTENTION;
        }
        if (runtime.isSubtype(type, runtime.ndArray) || runtime.isSubtype(type, runtime.activation)
                || runtime.isSubtype(type, runtime.arrayResult)) {
            return Shape.ARRAY;
        }
        return Shape.OTHER;
    }

    private boolean isNumber(TypeMirror type) {
        if (type.getKind().isPrimitive()) {
            return type.getKind() != TypeKind.BOOLEAN && type.getKind() != TypeKind.CHAR;
        }
        return runtime.isSubtype(type, runtime.number);
    }

    void check(TypeMirror result, PlotKind kind, int sweptAxes, AnnotationSite plot, ValidationReport.Builder report) {
        Shape shape = shape(result);
        String what = shape == Shape.VOID ? "void" : Message.withArticle(TypeDisplay.name(result));
        Site kindSite = plot.attribute("kind");
        switch (shape) {
            case VOID -> report.error(Problem.of(Message.NOT_PLOTTABLE, what, "the method returns nothing; "
                    + PLOTTABLE), plot.whole());
            case OTHER -> report.error(Problem.of(Message.NOT_PLOTTABLE, what, PLOTTABLE), plot.whole());
            default -> {
                if (shape == Shape.NUMBER && sweptAxes == 0) {
                    report.error(Problem.of(Message.NOT_PLOTTABLE, what, "the run sweeps nothing, so there is one"
                            + " number and nothing to plot; sweep an axis or return an array"), plot.whole());
                } else if (shape == Shape.NUMBER && sweptAxes > 2) {
                    report.error(Problem.of(Message.NOT_PLOTTABLE, what, "the run sweeps " + sweptAxes
                            + " axes and a plot shows at most two"), plot.whole());
                } else if (kind == PlotKind.ATTENTION && shape != Shape.ATTENTION) {
                    report.error(Problem.of(Message.NOT_PLOTTABLE, what + " as ATTENTION",
                            "ATTENTION needs an AttentionPattern"), kindSite);
                } else if (kind == PlotKind.HEATMAP && axes(shape, sweptAxes) < 2) {
                    report.error(Problem.of(Message.NOT_PLOTTABLE, what + " as HEATMAP", "a heatmap needs two axes:"
                            + " two swept axes, or a two-dimensional array"), kindSite);
                }
            }
        }
    }

    /** The axes a plot of this result would have; arrays and activations have at least two. */
    private static int axes(Shape shape, int sweptAxes) {
        return switch (shape) {
            case NUMBER -> sweptAxes;
            case VECTOR -> sweptAxes + 1;
            default -> sweptAxes + 2;
        };
    }
}
