package dev.arrakis.processor.validation;

import java.util.stream.Collectors;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;

/** Types as a researcher wrote them, for messages: simple names, with an article where a sentence needs one. */
final class TypeDisplay {
    private TypeDisplay() {}

    static String name(TypeMirror type) {
        if (type instanceof DeclaredType declared) {
            String simple = declared.asElement().getSimpleName().toString();
            return declared.getTypeArguments().isEmpty() ? simple : simple + declared.getTypeArguments().stream()
                    .map(TypeDisplay::name).collect(Collectors.joining(", ", "<", ">"));
        }
        if (type instanceof ArrayType array) {
            return name(array.getComponentType()) + "[]";
        }
        return type.toString();
    }
}
