package dev.arrakis.processor.validation;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/** Prints reports through the {@code Messager}, at the exact annotation value wherever the compiler can find it. */
public final class DiagnosticPrinter {
    private final Messager messager;
    private final CompilerTrees trees;

    public DiagnosticPrinter(Messager messager, CompilerTrees trees) {
        this.messager = messager;
        this.trees = trees;
    }

    /**
     * @param readInALaterRound whether the report's class waited for a later round. Eclipse's compiler reads such a
     *     class anew and then gives its parameters no position, so without javac's trees a message about a
     *     parameter goes on its method instead
     */
    public void print(ValidationReport report, boolean readInALaterRound) {
        for (ValidationReport.Item item : report.items()) {
            Site site = item.site();
            if (readInALaterRound && !trees.available() && site.element().getKind() == ElementKind.PARAMETER) {
                site = Site.of(methodOf(site.element(), report.subject()));
            }
            print(item.kind(), item.message(), site);
        }
    }

    /**
     * The method that declares a parameter, found among the class's methods: in a class read anew, Eclipse's
     * compiler gives a parameter no enclosing method, or one without a position. The class when not found.
     */
    private static Element methodOf(Element parameter, Element type) {
        for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
            if (method.getParameters().contains(parameter)) {
                return method;
            }
        }
        return type;
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
