package dev.arrakis.samples.docs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles one {@link JavaBlock} with the annotation processor on its processor path, as a user's build does, on the
 * test class path (runtime, annotations and the samples' classes). Warnings count as problems, since the samples
 * themselves compile with -Werror.
 */
final class BlockCompiler {

    /** Set by samples/pom.xml: the processor's jar and the dependencies the test class path lacks. */
    static final String PROCESSOR_PATH_PROPERTY = "arrakis.test.processorPath";

    /** javac's warning when no processor ran, as for a block without an {@code @Experiment}. */
    private static final String UNMATCHED_PROCESSOR_OPTION = "compiler.warn.proc.unmatched.processor.options";

    private final Path projectDir;
    private final String classPath;
    private final String processorPath;

    BlockCompiler(Path projectDir, String classPath, String processorPath) {
        this.projectDir = projectDir;
        this.classPath = classPath;
        this.processorPath = processorPath + File.pathSeparator + classPath;
    }

    /** A compiler for this test JVM, or an error saying what the build must set. */
    static BlockCompiler forTestClassPath(Path projectDir) {
        String processorPath = System.getProperty(PROCESSOR_PATH_PROPERTY);
        if (processorPath == null || processorPath.isBlank() || processorPath.contains("${")) {
            throw new IllegalStateException("system property " + PROCESSOR_PATH_PROPERTY + " is '" + processorPath
                    + "'; run this test through Maven (samples/pom.xml sets it to the arrakis-processor jar)");
        }
        return new BlockCompiler(projectDir, System.getProperty("java.class.path"), processorPath);
    }

    /**
     * @param classes where the block's classes go (the runner's output and the processor's registry included)
     * @param problems each error or warning as {@code file:line: kind: message}, with the Markdown line it points at
     */
    record Compiled(JavaBlock java, Path classes, List<String> problems) {
        boolean clean() {
            return problems.isEmpty();
        }
    }

    Compiled compile(JavaBlock java, Path workDirectory) {
        try {
            Path sources = Files.createDirectories(workDirectory.resolve("src"));
            Path classes = Files.createDirectories(workDirectory.resolve("classes"));
            Path generated = Files.createDirectories(workDirectory.resolve("generated"));
            Path source = Files.writeString(sources.resolve(java.typeName() + ".java"), java.source());
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files =
                         javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                List<String> options = List.of("-classpath", classPath, "-processorpath", processorPath,
                        "-Aarrakis.projectDir=" + projectDir, "-d", classes.toString(), "-s", generated.toString(),
                        "-encoding", "UTF-8", "-Xlint:all,-processing,-options");
                javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(source)).call();
            }
            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
                if (diagnostic.getKind() != Diagnostic.Kind.NOTE && diagnostic.getKind() != Diagnostic.Kind.OTHER
                        && !UNMATCHED_PROCESSOR_OPTION.equals(diagnostic.getCode())) {
                    problems.add(describe(java, source, diagnostic));
                }
            }
            return new Compiled(java, classes, problems);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(JavaBlock java, Path source, Diagnostic<? extends JavaFileObject> diagnostic) {
        String kind = diagnostic.getKind().toString().toLowerCase(Locale.ROOT).replace('_', ' ');
        String message = diagnostic.getMessage(Locale.ROOT);
        JavaFileObject file = diagnostic.getSource();
        CodeBlock block = java.block();
        if (file != null && Path.of(file.toUri()).equals(source.toAbsolutePath()) && diagnostic.getLineNumber() > 0) {
            long line = diagnostic.getLineNumber();
            String text = java.docText(line);
            return block.file() + ":" + java.docLine(line) + ": " + kind + ": " + message
                    + (text.isEmpty() ? "" : "\n    " + text);
        }
        String where = file == null ? "" : " (in " + Path.of(file.toUri()).getFileName() + ":"
                + diagnostic.getLineNumber() + ", generated from the block)";
        return block.label() + ": " + kind + where + ": " + message;
    }
}
