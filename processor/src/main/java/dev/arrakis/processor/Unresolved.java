package dev.arrakis.processor;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Whether an experiment class refers to something the compiler has not resolved yet: typically a constant of a
 * hooks class that the registry processor generates in this same compilation
 * ({@code @Capture(Gpt2Hooks.L1_ATTN_PATTERN)}). javac hands such a value over as the text {@code <error>}; the class
 * is processed again in a later round, once the generated class exists.
 */
final class Unresolved {
    private static final String ANNOTATIONS = "dev.arrakis.annotations.";
    private static final String ERROR_TEXT = "<error>";

    private Unresolved() {}

    static boolean in(TypeElement type) {
        if (annotationsUnresolved(type)) {
            return true;
        }
        for (Element member : type.getEnclosedElements()) {
            if (!(member instanceof ExecutableElement method) || !hasArrakisAnnotation(method)) {
                continue;
            }
            if (annotationsUnresolved(method) || isError(method.getReturnType())) {
                return true;
            }
            for (VariableElement parameter : method.getParameters()) {
                if (annotationsUnresolved(parameter) || isError(parameter.asType())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasArrakisAnnotation(Element element) {
        return element.getAnnotationMirrors().stream().anyMatch(Unresolved::isArrakis);
    }

    private static boolean isArrakis(AnnotationMirror mirror) {
        return ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString()
                .startsWith(ANNOTATIONS);
    }

    private static boolean annotationsUnresolved(Element element) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            if (isArrakis(mirror) && unresolved(mirror)) {
                return true;
            }
        }
        return false;
    }

    private static boolean unresolved(AnnotationMirror mirror) {
        return mirror.getElementValues().values().stream().anyMatch(Unresolved::unresolved);
    }

    private static boolean unresolved(AnnotationValue value) {
        Object content = value.getValue();
        if (content instanceof String text) {
            // javac's placeholder; a string literal that happens to read "<error>" is a Constant, not an Error.
            return ERROR_TEXT.equals(text) && !value.getClass().getSimpleName().equals("Constant");
        }
        if (content instanceof List<?> list) {
            return list.stream().anyMatch(element -> element instanceof AnnotationValue nested && unresolved(nested));
        }
        if (content instanceof AnnotationMirror nested) {
            return unresolved(nested);
        }
        if (content instanceof TypeMirror type) {
            return isError(type);
        }
        return false;
    }

    private static boolean isError(TypeMirror type) {
        if (type.getKind() == TypeKind.ERROR) {
            return true;
        }
        if (type instanceof ArrayType array) {
            return isError(array.getComponentType());
        }
        if (type instanceof DeclaredType declared) {
            return declared.getTypeArguments().stream().anyMatch(Unresolved::isError);
        }
        return false;
    }
}
