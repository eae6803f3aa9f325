package dev.arrakis.samples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How much javac time the annotation processor costs per experiment class: compiles the {@link GeneratedExperiments}
 * with the processor and with {@code -proc:none}, alternating which goes first round by round, and reports the
 * difference of the medians divided by the number of classes. That difference includes compiling the code the
 * processor generates, since a build pays for that too.
 *
 * <ul>
 *   <li>{@code warm}: javac in this JVM through {@link ToolProvider#getSystemJavaCompiler()}, after {@code --warmup}
 *       untimed rounds, as a build daemon or an IDE compiles (a fresh file manager each compile, the JIT warm);
 *   <li>{@code cold}: one {@code javac} process per compile, as a command-line build starts it.
 * </ul>
 *
 * <p>Wall time is the figure; warm mode also reports this JVM's CPU time for each compile, which a loaded machine
 * inflates far less (a cold {@code javac} process's CPU time is not visible from here). Every compile goes to fresh
 * directories, and any error or warning ends the benchmark: a figure from a compile that failed would mean nothing.
 * The experiments' classes compile against this JVM's class path (runtime and annotations); the processor runs from
 * {@code --processor-path} followed by that class path, as Maven's {@code annotationProcessorPaths} keeps it apart
 * from the samples' run-time path. Each compile loads the processor afresh, as a build's javac does.
 *
 * <pre>{@code
 * java -cp ... dev.arrakis.samples.bench.ProcessorBenchmark --processor-path PROCESSOR_JAR:ITS_DEPENDENCIES
 * }</pre>
 *
 * <p>{@code tools/bench/targets.sh --only processor} finds both and runs it.
 */
@Command(name = "processor-benchmark", mixinStandardHelpOptions = true)
public final class ProcessorBenchmark implements Callable<Integer> {

    @Option(names = "--processor-path", required = true,
            description = "The arrakis-processor jar and its dependencies, separated as a class path.")
    private String processorPath;

    @Option(names = "--project-dir", defaultValue = ".",
            description = "Where the experiments' models/ configs are, for the processor to read.")
    private Path projectDir;

    @Option(names = "--classes", defaultValue = "10")
    private int classes;

    @Option(names = "--rounds", defaultValue = "7", description = "Timed compiles of each kind, alternating.")
    private int rounds;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed rounds before the warm ones.")
    private int warmup;

    @Option(names = "--modes", split = ",", defaultValue = "warm,cold")
    private List<String> modes;

    @Option(names = "--work", description = "Where sources and compiled classes go; a temporary directory if unset.")
    private Path work;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProcessorBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path root = work != null ? Files.createDirectories(work) : Files.createTempDirectory("processor-benchmark");
        List<Path> sources = write(GeneratedExperiments.sources(classes), root.resolve("src"));
        ExperimentCompiler compiler = new ExperimentCompiler(System.getProperty("java.class.path"), processorPath,
                projectDir.toAbsolutePath().normalize());
        ObjectMapper json = new ObjectMapper();
        for (String mode : modes) {
            boolean warm = switch (mode) {
                case "warm" -> true;
                case "cold" -> false;
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "unknown mode " + mode + "; expected warm or cold");
            };
            List<Double> withProcessor = new ArrayList<>();
            List<Double> withoutProcessor = new ArrayList<>();
            List<Double> withProcessorCpu = new ArrayList<>();
            List<Double> withoutProcessorCpu = new ArrayList<>();
            int untimed = warm ? warmup : 0;
            for (int round = 0; round < untimed + rounds; round++) {
                for (boolean processor : round % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    Path out = root.resolve(mode + "-" + round + (processor ? "-proc" : "-noproc"));
                    long start = System.nanoTime();
                    long cpuStart = BenchmarkSupport.processCpuNanos();
                    Compiled compiled = warm ? compiler.inProcess(sources, out, processor)
                            : compiler.inNewProcess(sources, out, processor);
                    double ms = (System.nanoTime() - start) / 1e6;
                    double cpuMs = (BenchmarkSupport.processCpuNanos() - cpuStart) / 1e6;
                    if (!compiled.clean()) {
                        System.err.println(String.join("\n", compiled.problems()));
                        throw new IllegalStateException(mode + " compile " + (processor ? "with" : "without")
                                + " the processor reported " + compiled.problems().size() + " problems (above)");
                    }
                    if (round >= untimed) {
                        (processor ? withProcessor : withoutProcessor).add(ms);
                        (processor ? withProcessorCpu : withoutProcessorCpu).add(cpuMs);
                    }
                }
            }
            double with = SweepBenchmark.median(withProcessor);
            double without = SweepBenchmark.median(withoutProcessor);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("impl", "javac-" + mode);
            line.put("classes", classes);
            line.put("rounds", rounds);
            line.put("with_processor_ms", BenchmarkSupport.round(with));
            line.put("proc_none_ms", BenchmarkSupport.round(without));
            line.put("processor_ms_per_class", BenchmarkSupport.round((with - without) / classes));
            if (warm) {
                double cpuWith = SweepBenchmark.median(withProcessorCpu);
                double cpuWithout = SweepBenchmark.median(withoutProcessorCpu);
                line.put("with_processor_cpu_ms", BenchmarkSupport.round(cpuWith));
                line.put("proc_none_cpu_ms", BenchmarkSupport.round(cpuWithout));
                line.put("processor_cpu_ms_per_class", BenchmarkSupport.round((cpuWith - cpuWithout) / classes));
            }
            line.put("java", System.getProperty("java.version"));
            System.out.println(json.writeValueAsString(line));
        }
        return 0;
    }

    /** Writes each source where javac expects its package, and returns the files. */
    static List<Path> write(List<GeneratedExperiments.Source> sources, Path directory) throws IOException {
        Path packageDirectory = Files.createDirectories(
                directory.resolve(GeneratedExperiments.PACKAGE.replace('.', File.separatorChar)));
        List<Path> files = new ArrayList<>();
        for (GeneratedExperiments.Source source : sources) {
            files.add(Files.writeString(packageDirectory.resolve(source.typeName() + ".java"), source.text()));
        }
        return files;
    }

    /**
     * @param generated the source files the processor wrote, by name
     * @param problems each error or warning as {@code file:line: kind: message}
     */
    record Compiled(List<String> generated, List<String> problems) {
        boolean clean() {
            return problems.isEmpty();
        }
    }

    /** javac with or without the processor, on the same sources and class path, in this JVM or in a new one. */
    record ExperimentCompiler(String classPath, String processorPath, Path projectDir) {

        Compiled inProcess(List<Path> sources, Path out, boolean withProcessor) {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files =
                         javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                javac.getTask(null, files, diagnostics, options(out, withProcessor), null,
                        files.getJavaFileObjectsFromPaths(sources)).call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
                if (diagnostic.getKind() != Diagnostic.Kind.NOTE && diagnostic.getKind() != Diagnostic.Kind.OTHER) {
                    problems.add((diagnostic.getSource() == null ? "" : diagnostic.getSource().getName() + ":"
                            + diagnostic.getLineNumber() + ": ") + diagnostic.getKind().toString()
                            .toLowerCase(Locale.ROOT) + ": " + diagnostic.getMessage(Locale.ROOT));
                }
            }
            return new Compiled(generated(out), problems);
        }

        Compiled inNewProcess(List<Path> sources, Path out, boolean withProcessor) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "javac").toString());
            command.addAll(options(out, withProcessor));
            sources.forEach(source -> command.add(source.toString()));
            try {
                Process javac = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = javac.waitFor();
                List<String> problems = new ArrayList<>(output.lines()
                        .filter(line -> line.contains("error:") || line.contains("warning:")).toList());
                if (exit != 0 && problems.isEmpty()) {
                    problems.add("javac exited with " + exit + ": " + output);
                }
                return new Compiled(generated(out), problems);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while javac ran", e);
            }
        }

        private List<String> options(Path out, boolean withProcessor) {
            List<String> options = new ArrayList<>(List.of("-classpath", classPath,
                    "-d", directory(out.resolve("classes")), "-s", directory(out.resolve("generated")),
                    "-encoding", "UTF-8", "-Xlint:all,-processing,-options"));
            if (withProcessor) {
                options.addAll(List.of("-processorpath", processorPath + File.pathSeparator + classPath,
                        "-Aarrakis.projectDir=" + projectDir));
            } else {
                options.add("-proc:none");
            }
            return options;
        }

        private static String directory(Path path) {
            try {
                return Files.createDirectories(path).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static List<String> generated(Path out) {
            try (Stream<Path> files = Files.walk(out.resolve("generated"))) {
                return files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).sorted()
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
