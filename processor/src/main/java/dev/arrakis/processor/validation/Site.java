package dev.arrakis.processor.validation;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * Where a message goes: an element, optionally one of its annotations, optionally one value of it (for an array
 * attribute, the offending element's value).
 *
 * @param element the annotated element
 * @param annotation the annotation, or null for the element itself
 * @param value the value, or null for the whole annotation
 * @param repeated for an occurrence of a repeated annotation, where it is among its siblings; null otherwise.
 *     javac cannot place a message on an annotation that it wrapped into a synthesized container, so the printer
 *     finds the source tree itself from this
 * @param attribute when {@code value} is one element of an array attribute, the attribute's whole value; null
 *     otherwise. Eclipse's compiler places a message on an attribute's whole value but not on one of its elements
 */
public record Site(Element element, AnnotationMirror annotation, AnnotationValue value, Repeated repeated,
        AnnotationValue attribute) {

    /**
     * @param annotationType the repeated annotation's qualified name
     * @param occurrence its index among the annotations of that type on the element, in source order
     * @param attribute the attribute, or null for the whole annotation
     * @param index the element of an array attribute, or -1 for the whole attribute
     */
    public record Repeated(String annotationType, int occurrence, String attribute, int index) {}

    public static Site of(Element element) {
        return new Site(element, null, null, null, null);
    }
}
