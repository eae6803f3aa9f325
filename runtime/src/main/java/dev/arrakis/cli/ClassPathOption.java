package dev.arrakis.cli;

import dev.arrakis.ArrakisException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The {@code --class-path} option of the commands that find experiments: where a user's own compiled experiments
 * (and the libraries they need) are, as {@code java -cp} takes them.
 */
final class ClassPathOption {
    static final String ENVIRONMENT_VARIABLE = "ARRAKIS_CLASSPATH";

    @Option(names = {"-cp", "--class-path"}, paramLabel = "PATH", defaultValue = "${env:" + ENVIRONMENT_VARIABLE + "}",
            description = "Also find experiments in these directories and jars, separated by ':' (';' on Windows) as"
                    + " for java -cp, e.g. target/classes of a project compiled with arrakis-processor"
                    + " (default: $" + ENVIRONMENT_VARIABLE + ").")
    String classPath;

    /**
     * Runs the action with a loader that sees the given entries besides the launcher's own class path as the
     * thread's context loader (generated experiment code may load through it), and closes the loader after.
     *
     * @throws ArrakisException naming an entry that does not exist
     */
    <T> T withExperiments(Function<ClassLoader, T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader launcher = thread.getContextClassLoader();
        try (URLClassLoader experiments = open(launcher)) {
            thread.setContextClassLoader(experiments);
            return action.apply(experiments);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the class path " + classPath, e);
        } finally {
            thread.setContextClassLoader(launcher);
        }
    }

    /** The launcher's own loader is asked first, so Arrakis is loaded once even when the entries hold a copy. */
    private URLClassLoader open(ClassLoader launcher) {
        List<URL> urls = new ArrayList<>();
        if (classPath != null) {
            for (String entry : classPath.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    urls.add(url(entry));
                }
            }
        }
        return new URLClassLoader("arrakis-experiments", urls.toArray(URL[]::new), launcher);
    }

    private static URL url(String entry) {
        Path path = Path.of(entry).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new ArrakisException("class path entry '" + entry + "' does not exist (" + path + ")");
        }
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(new IOException("cannot use class path entry '" + entry + "'", e));
        }
    }
}
