package dev.arrakis.processor.validation;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * The compiler's syntax trees, where there are any: the source text and file of a class, and message positions
 * javac's {@code Messager} cannot find. Everything here is optional; on a compiler without
 * {@code com.sun.source} (or if it cannot be reached) the processor falls back to what
 * {@code javax.lang.model} offers.
 */
public final class CompilerTrees {
    private final Trees trees;

    private CompilerTrees(Trees trees) {
        this.trees = trees;
    }

    /**
     * The trees of javac's environment. Gradle's incremental processing wraps that environment, which makes
     * {@link Trees#instance} refuse it; the wrapper keeps javac's in a field, so one level of unwrapping is tried
     * before giving up.
     */
    public static CompilerTrees of(ProcessingEnvironment env) {
        ProcessingEnvironment candidate = env;
        for (int depth = 0; depth < 3 && candidate != null; depth++) {
            try {
                return new CompilerTrees(Trees.instance(candidate));
            } catch (IllegalArgumentException | LinkageError notJavac) {
                candidate = wrapped(candidate);
            }
        }
        return new CompilerTrees(null);
    }

    /** Trees are never available: what a non-javac compiler gives. */
    public static CompilerTrees none() {
        return new CompilerTrees(null);
    }

    private static ProcessingEnvironment wrapped(ProcessingEnvironment env) {
        for (Class<?> type = env.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (ProcessingEnvironment.class.isAssignableFrom(field.getType())) {
                    try {
                        field.setAccessible(true);
                        return (ProcessingEnvironment) field.get(env);
                    } catch (RuntimeException | IllegalAccessException inaccessible) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    public boolean available() {
        return trees != null;
    }

    /** The directory of the element's source file, when it is a file on disk. */
    public Optional<Path> sourceDirectory(Element element) {
        return sourceUri(element)
                .filter(uri -> "file".equals(uri.getScheme()))
                .map(uri -> Path.of(uri).getParent());
    }

    /** The element's source file as text for messages. */
    public Optional<String> sourceFileName(Element element) {
        return sourceUri(element).map(uri -> "file".equals(uri.getScheme()) ? Path.of(uri).toString()
                : uri.toString());
    }

    private Optional<URI> sourceUri(Element element) {
        return path(element).map(path -> path.getCompilationUnit().getSourceFile().toUri());
    }

    private Optional<TreePath> path(Element element) {
        if (trees == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(trees.getPath(element));
        } catch (RuntimeException noTree) {
            return Optional.empty();
        }
    }

    /** The class as the compiler parsed it, printed: no comments, no layout, every annotation and body. */
    public Optional<String> parsedText(TypeElement type) {
        return path(type).map(path -> path.getLeaf().toString());
    }

    /**
     * The class's text exactly as written: from its first modifier to its closing brace. Without end positions
     * (javac keeps them only when someone listens to its diagnostics) a top-level class runs to the next type of
     * its file, or the file's end; a member class falls back to the parsed text.
     */
    public Optional<String> sourceText(TypeElement type) {
        Optional<TreePath> found = path(type);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TreePath path = found.get();
        CompilationUnitTree unit = path.getCompilationUnit();
        Tree tree = path.getLeaf();
        CharSequence content;
        try {
            content = unit.getSourceFile().getCharContent(true);
        } catch (IOException | RuntimeException unreadable) {
            return Optional.of(tree.toString());
        }
        SourcePositions positions = trees.getSourcePositions();
        long start = positions.getStartPosition(unit, tree);
        long end = positions.getEndPosition(unit, tree);
        if (start < 0 || start >= content.length()) {
            return Optional.of(tree.toString());
        }
        if (end <= start || end > content.length()) {
            List<? extends Tree> types = unit.getTypeDecls();
            int index = types.indexOf(tree);
            if (index < 0) {
                return Optional.of(tree.toString());
            }
            end = index + 1 < types.size() ? positions.getStartPosition(unit, types.get(index + 1))
                    : content.length();
            String text = content.subSequence((int) start, (int) end).toString();
            return Optional.of(text.stripTrailing() + "\n");
        }
        return Optional.of(content.subSequence((int) start, (int) end).toString());
    }

    /**
     * Prints a message on a tree found from {@link Site.Repeated}: the occurrence-th annotation of its type on the
     * element, then the attribute, then the array element. Returns false when the tree cannot be found.
     */
    boolean printOnRepeated(Diagnostic.Kind kind, String message, Site site) {
        Optional<TreePath> found = path(site.element());
        if (found.isEmpty()) {
            return false;
        }
        Optional<Tree> tree = RepeatedAnnotationTrees.find(trees, found.get(), site.repeated());
        if (tree.isEmpty()) {
            return false;
        }
        trees.printMessage(kind, message, tree.get(), found.get().getCompilationUnit());
        return true;
    }
}
