package dev.arrakis.processor.validation;

import dev.arrakis.spec.Message;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Which results the run store records faithfully (rule 7), decided the way the runtime records them: the runner
 * copies an {@code NDArray} or an activation returned as the whole result into numbers before the point's memory is
 * freed; everything else goes to Jackson, which writes numbers, booleans and strings as themselves, arrays and
 * collections element by element and records component by component. Jackson writes anything else as a dump of its
 * getters (a {@code Thread}'s stack trace) or its {@code toString()}, a {@code byte[]} as base64 text, and an array
 * or activation inside another value as its shape without its values.
 */
final class ResultTypes {
    private final Types types;
    private final RuntimeTypes runtime;
    private final TypeMirror string;
    private final TypeMirror bool;
    private final TypeMirror object;
    private final TypeMirror collection;

    ResultTypes(RuntimeTypes runtime, Elements elements) {
        this.types = runtime.types;
        this.runtime = runtime;
        this.string = elements.getTypeElement(String.class.getCanonicalName()).asType();
        this.bool = elements.getTypeElement(Boolean.class.getCanonicalName()).asType();
        this.object = elements.getTypeElement(Object.class.getCanonicalName()).asType();
        this.collection = types.erasure(elements.getTypeElement(java.util.Collection.class.getCanonicalName())
                .asType());
    }

    /**
     * Why the run store cannot record a result of this type: empty when it can, {@code ""} when the type itself is
     * the problem, else what inside it is ({@code ": each element of List<Thread> is a Thread"}).
     */
    Optional<String> problem(TypeMirror result) {
        if (result.getKind() == TypeKind.VOID || isCopiedArray(result)) {
            return Optional.empty();
        }
        return unrecordable(result, new HashSet<>());
    }

    private boolean isCopiedArray(TypeMirror type) {
        return runtime.isSubtype(type, runtime.ndArray) || runtime.isSubtype(type, runtime.activation)
                || runtime.isSubtype(type, runtime.arrayResult);
    }

    private Optional<String> unrecordable(TypeMirror type, Set<String> recordsInProgress) {
        switch (type.getKind()) {
            case BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE -> {
                return Optional.empty();
            }
            case TYPEVAR -> {
                return unrecordable(((TypeVariable) type).getUpperBound(), recordsInProgress);
            }
            case ARRAY -> {
                TypeMirror component = ((ArrayType) type).getComponentType();
                if (component.getKind() == TypeKind.BYTE) {
                    return Optional.of(": Jackson writes a byte[] as base64 text, not as numbers");
                }
                return inside(component, "each element of " + TypeDisplay.name(type) + " is ", recordsInProgress);
            }
            case DECLARED -> {
                return declared((DeclaredType) type, recordsInProgress);
            }
            default -> {
                return Optional.of("");
            }
        }
    }

    private Optional<String> declared(DeclaredType type, Set<String> recordsInProgress) {
        if (types.isSameType(type, string) || types.isSameType(type, bool)
                || runtime.isSubtype(type, runtime.number)) {
            return Optional.empty();
        }
        if (types.isSubtype(types.erasure(type), collection)) {
            return inside(collectionElement(type), "each element of " + TypeDisplay.name(type) + " is ",
                    recordsInProgress);
        }
        TypeElement element = (TypeElement) type.asElement();
        if (element.getKind() != ElementKind.RECORD) {
            return Optional.of("");
        }
        // A record that holds itself (through a list) is checked once; its other components decide.
        if (!recordsInProgress.add(element.getQualifiedName().toString())) {
            return Optional.empty();
        }
        for (RecordComponentElement component : ElementFilter.recordComponentsIn(element.getEnclosedElements())) {
            TypeMirror componentType = ((ExecutableType) types.asMemberOf(type, component.getAccessor()))
                    .getReturnType();
            Optional<String> problem = inside(componentType, "component '" + component.getSimpleName() + "' of "
                    + TypeDisplay.name(type) + " is ", recordsInProgress);
            if (problem.isPresent()) {
                return problem;
            }
        }
        recordsInProgress.remove(element.getQualifiedName().toString());
        return Optional.empty();
    }

    /** A part of a result: {@code where} says where it sits, for the message. */
    private Optional<String> inside(TypeMirror part, String where, Set<String> recordsInProgress) {
        String described = where + Message.withArticle(TypeDisplay.name(part));
        if (isCopiedArray(part)) {
            return Optional.of(": " + described + ", whose values are recorded only when it is the whole result");
        }
        return unrecordable(part, recordsInProgress).map(problem -> problem.isEmpty() ? ": " + described : problem);
    }

    /** What a collection holds, as far as its type says: {@code Object} for a raw type or {@code ?}. */
    private TypeMirror collectionElement(DeclaredType type) {
        Deque<TypeMirror> pending = new ArrayDeque<>();
        pending.add(type);
        while (!pending.isEmpty()) {
            TypeMirror candidate = pending.removeFirst();
            if (types.isSameType(types.erasure(candidate), collection)) {
                var arguments = ((DeclaredType) candidate).getTypeArguments();
                if (arguments.isEmpty()) {
                    return object;
                }
                TypeMirror argument = arguments.get(0);
                if (argument instanceof WildcardType wildcard) {
                    return wildcard.getExtendsBound() != null ? wildcard.getExtendsBound() : object;
                }
                return argument;
            }
            pending.addAll(types.directSupertypes(candidate));
        }
        return object;
    }
}
