package dev.arrakis.processor.validation;

import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/**
 * One annotation on one element, with typed reads of its attributes (defaults included) and the {@link Site} of
 * each attribute and array element, so a message lands on the value it is about.
 *
 * @param element the annotated element
 * @param mirror the annotation
 * @param occurrence its index among repeated annotations of its type on the element, or -1 when it is not inside a
 *     container
 * @param elements reads attribute defaults
 */
public record AnnotationSite(Element element, AnnotationMirror mirror, int occurrence, Elements elements) {

    public static AnnotationSite of(Element element, AnnotationMirror mirror, Elements elements) {
        return new AnnotationSite(element, mirror, -1, elements);
    }

    /** The annotation's qualified type name. */
    public String typeName() {
        return ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString();
    }

    public String simpleTypeName() {
        return mirror.getAnnotationType().asElement().getSimpleName().toString();
    }

    public Site whole() {
        return new Site(element, mirror, null, repeated(null, -1), null);
    }

    /** The attribute's value as written, or the whole annotation when the attribute takes its default. */
    public Site attribute(String name) {
        AnnotationValue value = explicit(name);
        return value == null ? whole() : new Site(element, mirror, value, repeated(name, -1), null);
    }

    /** One element of an array attribute as written. */
    public Site arrayElement(String name, int index) {
        AnnotationValue value = explicit(name);
        if (value == null) {
            return whole();
        }
        if (value.getValue() instanceof List<?> list && index < list.size()) {
            return new Site(element, mirror, (AnnotationValue) list.get(index), repeated(name, index), value);
        }
        return attribute(name);
    }

    private Site.Repeated repeated(String attribute, int index) {
        return occurrence < 0 ? null : new Site.Repeated(typeName(), occurrence, attribute, index);
    }

    /** Whether the attribute is written out rather than left at its default. */
    public boolean isExplicit(String name) {
        return explicit(name) != null;
    }

    private AnnotationValue explicit(String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : mirror.getElementValues().entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private Object value(String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : elements.getElementValuesWithDefaults(mirror).entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue().getValue();
            }
        }
        throw new IllegalArgumentException("@" + simpleTypeName() + " has no attribute " + name);
    }

    public String string(String name) {
        return (String) value(name);
    }

    public int integer(String name) {
        return (Integer) value(name);
    }

    public double decimal(String name) {
        return ((Number) value(name)).doubleValue();
    }

    public long longInteger(String name) {
        return ((Number) value(name)).longValue();
    }

    public double[] doubles(String name) {
        return ((List<?>) value(name)).stream()
                .mapToDouble(value -> ((Number) ((AnnotationValue) value).getValue()).doubleValue()).toArray();
    }

    public long[] longs(String name) {
        return ((List<?>) value(name)).stream()
                .mapToLong(value -> ((Number) ((AnnotationValue) value).getValue()).longValue()).toArray();
    }

    public boolean bool(String name) {
        return (Boolean) value(name);
    }

    public List<Integer> ints(String name) {
        return ((List<?>) value(name)).stream().map(value -> (Integer) ((AnnotationValue) value).getValue()).toList();
    }

    /** An enum attribute's constant name. */
    public String enumName(String name) {
        return ((VariableElement) value(name)).getSimpleName().toString();
    }

    /** An enum array attribute's constant names, in order. */
    public List<String> enumNames(String name) {
        return ((List<?>) value(name)).stream()
                .map(value -> ((VariableElement) ((AnnotationValue) value).getValue()).getSimpleName().toString())
                .toList();
    }

    /** The annotations of an annotation-array attribute, e.g. a container's {@code value}. */
    public List<AnnotationMirror> annotations(String name) {
        return ((List<?>) value(name)).stream()
                .map(value -> (AnnotationMirror) ((AnnotationValue) value).getValue())
                .toList();
    }
}
