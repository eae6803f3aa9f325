package dev.arrakis.processor.validation;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationValue;
import javax.tools.Diagnostic;

/** Prints reports through the {@code Messager}, at the exact annotation value wherever the compiler can find it. */
public final class DiagnosticPrinter {
    private final Messager messager;
    private final CompilerTrees trees;

    public DiagnosticPrinter(Messager messager, CompilerTrees trees) {
        this.messager = messager;
        this.trees = trees;
    }

    public void print(ValidationReport report) {
        report.items().forEach(item -> print(item.kind(), item.message(), item.site()));
    }

    public void print(Diagnostic.Kind kind, String message, Site site) {
        if (site.repeated() != null && trees.printOnRepeated(kind, message, site)) {
            return;
        }
        if (site.value() != null) {
            // Without javac's trees this is probably Eclipse's compiler, which would put a message on one element of
            // an array on the annotation's first line: on the attribute it lands at least on the attribute's line.
            AnnotationValue value = !trees.available() && site.attribute() != null ? site.attribute() : site.value();
            messager.printMessage(kind, message, site.element(), site.annotation(), value);
        } else if (site.annotation() != null) {
            messager.printMessage(kind, message, site.element(), site.annotation());
        } else {
            messager.printMessage(kind, message, site.element());
        }
    }
}
