package dev.arrakis.processor.validation;

import javax.annotation.processing.Messager;
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
            messager.printMessage(kind, message, site.element(), site.annotation(), site.value());
        } else if (site.annotation() != null) {
            messager.printMessage(kind, message, site.element(), site.annotation());
        } else {
            messager.printMessage(kind, message, site.element());
        }
    }
}
