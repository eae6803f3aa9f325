package dev.arrakis.cli;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.spec.Intervention;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code arrakis list}: the experiments on the class path, their models, versions and runs. */
@Command(name = "list", description = "List the experiments on the class path and their runs.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis list", "  arrakis list --class-path target/classes        (your own project)"})
final class ListCommand implements Runnable {
    @Mixin
    private ClassPathOption classPath;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        classPath.withExperiments(loader -> {
            print(ExperimentRegistry.load(loader).list());
            return null;
        });
    }

    private void print(List<ExperimentDefinition<?>> experiments) {
        PrintWriter out = spec.commandLine().getOut();
        if (experiments.isEmpty()) {
            out.println("no experiments on the class path (compile @Experiment classes with arrakis-processor, and"
                    + " give their directory or jar with --class-path)");
            return;
        }
        for (ExperimentDefinition<?> experiment : experiments) {
            out.printf("%s  model %s  version %s  (%s)%n", experiment.name(), experiment.model().displayName(),
                    experiment.fingerprint().substring(0, 12), experiment.experimentClass());
            for (RunDefinition<?> run : experiment.runs()) {
                out.printf("  %s.%s%s%s%n", experiment.name(), run.name(), describe(run.interventions()),
                        run.plot() != null ? "  [plot]" : "");
            }
        }
    }

    private static String describe(List<Intervention> interventions) {
        StringBuilder text = new StringBuilder();
        interventions.forEach(intervention -> text.append("  ").append(InterventionText.describe(intervention)));
        return text.toString();
    }
}
