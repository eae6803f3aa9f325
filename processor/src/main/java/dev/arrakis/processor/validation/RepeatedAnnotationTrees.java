package dev.arrakis.processor.validation;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;

/**
 * Finds the source tree of a value inside a repeated annotation. javac wraps repeated annotations into a container
 * that has no tree of its own, so its {@code Messager} puts messages about them on the method's name; the trees
 * still hold each annotation as written, in order.
 */
final class RepeatedAnnotationTrees {
    private RepeatedAnnotationTrees() {}

    static Optional<Tree> find(Trees trees, TreePath elementPath, Site.Repeated where) {
        ModifiersTree modifiers = modifiers(elementPath.getLeaf());
        if (modifiers == null) {
            return Optional.empty();
        }
        TreePath modifiersPath = new TreePath(elementPath, modifiers);
        List<AnnotationTree> ofType = new ArrayList<>();
        for (AnnotationTree annotation : modifiers.getAnnotations()) {
            if (isOfType(trees, new TreePath(modifiersPath, annotation), annotation, where.annotationType())) {
                ofType.add(annotation);
            }
        }
        if (where.occurrence() >= ofType.size()) {
            return Optional.empty();
        }
        AnnotationTree annotation = ofType.get(where.occurrence());
        if (where.attribute() == null) {
            return Optional.of(annotation);
        }
        for (ExpressionTree argument : annotation.getArguments()) {
            ExpressionTree value;
            if (argument instanceof AssignmentTree assignment
                    && assignment.getVariable() instanceof IdentifierTree name) {
                if (!name.getName().contentEquals(where.attribute())) {
                    continue;
                }
                value = assignment.getExpression();
            } else if (where.attribute().equals("value")) {
                value = argument;
            } else {
                continue;
            }
            if (where.index() < 0) {
                return Optional.of(value);
            }
            if (value instanceof NewArrayTree array && array.getInitializers() != null) {
                return where.index() < array.getInitializers().size()
                        ? Optional.of(array.getInitializers().get(where.index())) : Optional.of(value);
            }
            return Optional.of(value);
        }
        return Optional.of(annotation);
    }

    private static ModifiersTree modifiers(Tree tree) {
        if (tree instanceof MethodTree method) {
            return method.getModifiers();
        }
        if (tree instanceof ClassTree type) {
            return type.getModifiers();
        }
        if (tree instanceof VariableTree variable) {
            return variable.getModifiers();
        }
        return null;
    }

    private static boolean isOfType(Trees trees, TreePath path, AnnotationTree annotation, String qualifiedName) {
        try {
            TypeMirror type = trees.getTypeMirror(path);
            if (type instanceof DeclaredType declared) {
                return ((TypeElement) declared.asElement()).getQualifiedName().contentEquals(qualifiedName);
            }
        } catch (RuntimeException unattributed) {
            // Fall through to the name as written.
        }
        String written = annotation.getAnnotationType().toString();
        return qualifiedName.equals(written) || qualifiedName.endsWith("." + written);
    }
}
