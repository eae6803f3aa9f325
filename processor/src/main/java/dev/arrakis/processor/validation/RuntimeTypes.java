package dev.arrakis.processor.validation;

import dev.arrakis.processor.emit.RuntimeNames;
import dev.arrakis.spec.ActivationKind;
import java.util.Optional;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/** The runtime's types as the compiler sees them, for binding parameters and checking results. */
final class RuntimeTypes {
    final Types types;
    final TypeMirror logits;
    final TypeMirror cache;
    final TypeMirror model;
    final TypeMirror config;
    final TypeMirror tokenBatch;
    final TypeMirror modelInput;
    final TypeMirror activation;
    final TypeMirror attentionPattern;
    /** Null when DJL's api is not on the class path; nothing then binds as an NDArray. */
    final TypeMirror ndArray;
    /** A tool's table that records and plots as an array ({@code dev.arrakis.runs.ArrayResult}). */
    final TypeMirror arrayResult;
    final TypeMirror number;
    final TypeMirror listOfNumbers;
    private final Elements elements;

    private RuntimeTypes(Elements elements, Types types) {
        this.elements = elements;
        this.types = types;
        logits = type(RuntimeNames.LOGITS.canonicalName());
        cache = type(RuntimeNames.ACTIVATION_CACHE.canonicalName());
        model = type(RuntimeNames.HOOKED_TRANSFORMER.canonicalName());
        config = type(RuntimeNames.MODEL_CONFIG.canonicalName());
        tokenBatch = type(RuntimeNames.TOKEN_BATCH.canonicalName());
        modelInput = type(RuntimeNames.MODEL_INPUT.canonicalName());
        activation = type(ActivationKind.typePackage() + ".Activation");
        attentionPattern = type(RuntimeNames.activation(ActivationKind.ATTENTION).canonicalName());
        ndArray = type(RuntimeNames.ND_ARRAY.canonicalName());
        arrayResult = type(RuntimeNames.ARRAY_RESULT.canonicalName());
        number = type(Number.class.getCanonicalName());
        TypeElement list = elements.getTypeElement(java.util.List.class.getCanonicalName());
        listOfNumbers = types.getDeclaredType(list, types.getWildcardType(number, null));
    }

    /** The runtime's types, or the missing class when the runtime is not on the class path. */
    static Optional<RuntimeTypes> of(Elements elements, Types types, String[] missing) {
        for (String name : new String[] {RuntimeNames.EXPERIMENT_DEFINITION.canonicalName(),
                RuntimeNames.LOGITS.canonicalName(), RuntimeNames.HOOKED_TRANSFORMER.canonicalName()}) {
            if (elements.getTypeElement(name) == null) {
                missing[0] = name;
                return Optional.empty();
            }
        }
        return Optional.of(new RuntimeTypes(elements, types));
    }

    private TypeMirror type(String name) {
        TypeElement element = elements.getTypeElement(name);
        return element == null ? null : types.erasure(element.asType());
    }

    /** A runtime class by name, erased; null when it is not on the class path. */
    TypeMirror declared(String canonicalName) {
        return type(canonicalName);
    }

    TypeMirror activation(ActivationKind kind) {
        return type(RuntimeNames.activation(kind).canonicalName());
    }

    boolean isSame(TypeMirror type, TypeMirror runtime) {
        return runtime != null && type.getKind() == TypeKind.DECLARED && types.isSameType(types.erasure(type), runtime);
    }

    boolean isSubtype(TypeMirror type, TypeMirror runtime) {
        return runtime != null && type.getKind() == TypeKind.DECLARED
                && types.isSubtype(types.erasure(type), runtime);
    }

    /** What the model can run on: a {@code TokenBatch}, or anything that carries one. */
    boolean isRunnable(TypeMirror type) {
        return isSubtype(type, tokenBatch) || isSubtype(type, modelInput);
    }
}
