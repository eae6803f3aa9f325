package dev.arrakis.processor;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;

/**
 * One compilation with Eclipse's compiler (ecj), the compiler Eclipse and VS Code's Java tooling build with, running
 * both processors as those IDEs do. ecj has no {@code com.sun.source} trees, so the processors take their fallbacks.
 * ecj's file manager reads files from disk only, so the sources are written to a directory first.
 *
 * @param succeeded whether ecj reported no error
 * @param diagnostics everything ecj reported, its own problems and the processors' messages
 * @param sourceRoot where the sources were written, at their packages' paths
 * @param generatedSources where the processors' sources went
 * @param classes where classes and the registry went
 * @param log ecj's own output, for assertion messages
 */
record EcjCompilation(boolean succeeded, List<Diagnostic<? extends JavaFileObject>> diagnostics, Path sourceRoot,
        Path generatedSources, Path classes, String log) {

    /**
     * Compiles {@code sources} (each a qualified class name and its text) under {@code directory}, against this
     * test's class path (which holds the runtime), with {@code -Aarrakis.projectDir=projectDir} unless it is null.
     */
    static EcjCompilation compile(Path directory, Path projectDir, List<JavaFileObject> sources) {
        try {
            Path sourceRoot = Files.createDirectories(directory.resolve("src"));
            Path generated = Files.createDirectories(directory.resolve("generated"));
            Path classes = Files.createDirectories(directory.resolve("classes"));
            List<Path> files = new ArrayList<>();
            for (JavaFileObject source : sources) {
                files.add(write(sourceRoot, source));
            }
            JavaCompiler ecj = new EclipseCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            StringWriter log = new StringWriter();
            try (StandardJavaFileManager fileManager = ecj.getStandardFileManager(diagnostics, Locale.ROOT,
                    StandardCharsets.UTF_8)) {
                List<String> options = new ArrayList<>(List.of("-17", "-proceedOnError", "-encoding", "UTF-8",
                        "-classpath", System.getProperty("java.class.path"),
                        "-d", classes.toString(), "-s", generated.toString()));
                if (projectDir != null) {
                    options.add("-Aarrakis.projectDir=" + projectDir);
                }
                JavaCompiler.CompilationTask task = ecj.getTask(log, fileManager, diagnostics, options, null,
                        fileManager.getJavaFileObjectsFromPaths(files));
                task.setProcessors(List.of(new ExperimentProcessor(), new ExperimentRegistryProcessor()));
                boolean succeeded = task.call();
                return new EcjCompilation(succeeded, List.copyOf(diagnostics.getDiagnostics()), sourceRoot,
                        generated, classes, log.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path sourceRoot, JavaFileObject source) throws IOException {
        Path file = sourceRoot.resolve(Compilations.relativePath(source));
        Files.createDirectories(file.getParent());
        Files.writeString(file, source.getCharContent(true), StandardCharsets.UTF_8);
        return file;
    }

    /** The processors' messages (tagged {@code [Experiment/...]}), with files relative to the source root. */
    List<Compilations.Reported> processorMessages() {
        return diagnostics.stream()
                .filter(diagnostic -> diagnostic.getMessage(Locale.ROOT).startsWith("[Experiment/"))
                .map(diagnostic -> new Compilations.Reported(Compilations.Reported.kind(diagnostic),
                        diagnostic.getSource() == null ? "" : sourceRoot.relativize(Path.of(diagnostic.getSource()
                                .toUri())).toString().replace('\\', '/'),
                        diagnostic.getLineNumber(), diagnostic.getMessage(Locale.ROOT)))
                .sorted()
                .toList();
    }

    List<Diagnostic<? extends JavaFileObject>> errors() {
        return diagnostics.stream().filter(diagnostic -> diagnostic.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    /** The first error whose message contains {@code text}. */
    Optional<Diagnostic<? extends JavaFileObject>> error(String text) {
        return errors().stream().filter(error -> error.getMessage(Locale.ROOT).contains(text)).findFirst();
    }

    /** Every diagnostic, one a line, for assertion messages. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics) {
            text.append(diagnostic.getKind()).append(" line ").append(diagnostic.getLineNumber()).append(": ")
                    .append(diagnostic.getMessage(Locale.ROOT)).append('\n');
        }
        return text.append(log).toString();
    }

    /** Generated source files, relative to the generated-sources directory, with '/' separators. */
    List<String> generatedSourceFiles() {
        try (Stream<Path> files = Files.walk(generatedSources)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> generatedSources.relativize(file).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
