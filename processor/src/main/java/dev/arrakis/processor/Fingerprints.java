package dev.arrakis.processor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/**
 * The version of an experiment definition. With javac's trees it is SHA-256 over the class as parsed and printed
 * back (so layout and comments do not count, while every annotation, signature and statement does); without them
 * it is SHA-256 over the annotations and signatures only, which misses changes inside method bodies.
 */
final class Fingerprints {
    private Fingerprints() {}

    static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * What {@code javax.lang.model} shows of a class: its annotations (with their values), and each member's
     * annotations, modifiers, name and type, in declaration order.
     */
    static String declarationText(TypeElement type) {
        StringBuilder text = new StringBuilder();
        describe(type, text);
        text.append(" extends ").append(type.getSuperclass()).append(" implements ").append(type.getInterfaces())
                .append(" {\n");
        for (Element member : type.getEnclosedElements()) {
            text.append("  ");
            describe(member, text);
            text.append(' ').append(member.asType());
            if (member instanceof ExecutableElement method) {
                text.append(method.getParameters().stream()
                        .map(Fingerprints::parameter)
                        .collect(Collectors.joining(", ", "(", ")")));
            }
            text.append('\n');
        }
        return text.append("}\n").toString();
    }

    private static String parameter(VariableElement parameter) {
        StringBuilder text = new StringBuilder();
        describe(parameter, text);
        return text.toString();
    }

    private static void describe(Element element, StringBuilder text) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            text.append(mirror).append(' ');
        }
        element.getModifiers().forEach(modifier -> text.append(modifier).append(' '));
        text.append(element.getKind()).append(' ').append(element.getSimpleName());
    }
}
