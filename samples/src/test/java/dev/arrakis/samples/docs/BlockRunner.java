package dev.arrakis.samples.docs;

import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs compiled runnable blocks in one child JVM whose working directory is the project, so that the paths in the
 * docs resolve as they do for a reader at the project's root, offline, with the run store in a temporary directory.
 * Each block gets a class loader of its own (two blocks may declare the same class); a failure is reported per
 * block and does not stop the others.
 */
final class BlockRunner {

    /** Bounds a hung child; the blocks run on committed toy checkpoints and take seconds. */
    private static final long CHILD_TIMEOUT_MINUTES = 20;
    private static final String OK = "ok";

    private BlockRunner() {
    }

    /** The blocks' failures: a stack trace per block that failed, nothing for those that ran. */
    static Map<CodeBlock, String> run(List<BlockCompiler.Compiled> blocks, Path projectDir, Path workDirectory) {
        try {
            Path results = Files.createDirectories(workDirectory.resolve("results"));
            List<String> plan = new ArrayList<>();
            for (BlockCompiler.Compiled block : blocks) {
                plan.add(block.java().kind() + "\t" + block.java().typeName() + "\t" + block.classes().toAbsolutePath());
            }
            Path planFile = Files.write(workDirectory.resolve("plan.tsv"), plan);
            Path log = workDirectory.resolve("child.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Dai.djl.offline=true",
                    "-Darrakis.runs=" + workDirectory.resolve("runs").toAbsolutePath(),
                    "-cp", System.getProperty("java.class.path"), BlockRunner.class.getName(),
                    planFile.toAbsolutePath().toString(), results.toAbsolutePath().toString())
                    .directory(projectDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            String ending;
            if (child.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                ending = "the child JVM exited with " + child.exitValue();
            } else {
                child.destroyForcibly().waitFor();
                ending = "the child JVM was stopped after " + CHILD_TIMEOUT_MINUTES + " minutes";
            }
            Map<CodeBlock, String> failures = new LinkedHashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                Path result = results.resolve(i + ".txt");
                String outcome = Files.exists(result) ? Files.readString(result)
                        : ending + " before this block finished; its output:\n" + Files.readString(log);
                if (!outcome.equals(OK)) {
                    failures.put(blocks.get(i).java().block(), outcome);
                }
            }
            return failures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the runnable blocks ran", e);
        }
    }

    /** The child: {@code plan.tsv results/}; writes {@code results/<index>.txt} per plan line. */
    public static void main(String[] args) throws IOException {
        List<String> plan = Files.readAllLines(Path.of(args[0]));
        Path results = Path.of(args[1]);
        for (int i = 0; i < plan.size(); i++) {
            String[] fields = plan.get(i).split("\t");
            String outcome = OK;
            try {
                runBlock(JavaBlock.Kind.valueOf(fields[0]), fields[1], Path.of(fields[2]));
            } catch (Throwable failure) {
                StringWriter trace = new StringWriter();
                failure.printStackTrace(new PrintWriter(trace));
                outcome = trace.toString();
            }
            Files.writeString(results.resolve(i + ".txt"), outcome);
        }
    }

    private static void runBlock(JavaBlock.Kind kind, String typeName, Path classes) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                BlockRunner.class.getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            if (kind == JavaBlock.Kind.STATEMENTS) {
                Object snippet = loader.loadClass(typeName).getConstructor().newInstance();
                invoke(snippet.getClass().getMethod(JavaBlock.SNIPPET_METHOD), snippet);
                return;
            }
            Path registry = classes.resolve("META-INF/services/" + ExperimentDefinition.class.getName());
            if (Files.exists(registry)) {
                for (String name : Files.readAllLines(registry)) {
                    if (!name.isBlank()) {
                        runExperiment((ExperimentDefinition<?>) loader.loadClass(name.strip())
                                .getConstructor().newInstance());
                    }
                }
                return;
            }
            Method main = loader.loadClass(typeName).getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new IllegalStateException(typeName + ".main is not static");
            }
            invoke(main, null, (Object) new String[0]);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the block is marked runnable, but " + typeName
                    + " is neither an @Experiment nor has a public static void main(String[])", e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static void runExperiment(ExperimentDefinition<?> definition) {
        try (ExperimentRunner runner = ExperimentRunner.open(definition)) {
            for (RunOutcome outcome : runner.runAll()) {
                if (outcome.status() != RunStatus.COMPLETE) {
                    throw new IllegalStateException(outcome.experiment() + "." + outcome.run() + " ended "
                            + outcome.status() + " after " + outcome.completedPoints() + " points");
                }
            }
        }
    }

    private static void invoke(Method method, Object target, Object... arguments) throws Exception {
        try {
            method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
