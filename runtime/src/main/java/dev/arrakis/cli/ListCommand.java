package dev.arrakis.cli;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.ExperimentRegistry;
import dev.arrakis.experiment.Intervention;
import dev.arrakis.experiment.RunDefinition;
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

    private void print(List<ExperimentDefinition> experiments) {
        PrintWriter out = spec.commandLine().getOut();
        if (experiments.isEmpty()) {
            out.println("no experiments on the class path (compile @Experiment classes with arrakis-processor, and"
                    + " give their directory or jar with --class-path)");
            return;
        }
        for (ExperimentDefinition experiment : experiments) {
            out.printf("%s  model %s  version %s  (%s)%n", experiment.name(), experiment.model().displayName(),
                    experiment.fingerprint().substring(0, 12), experiment.experimentClass());
            for (RunDefinition run : experiment.runs()) {
                out.printf("  %s.%s%s%s%n", experiment.name(), run.name(), describe(run.interventions()),
                        run.plot() != null ? "  [plot]" : "");
            }
        }
    }

    private static String describe(List<Intervention> interventions) {
        StringBuilder text = new StringBuilder();
        for (Intervention intervention : interventions) {
            text.append("  ");
            if (intervention instanceof Intervention.Ablation a) {
                text.append("ablate ").append(a.method().name().toLowerCase(java.util.Locale.ROOT))
                        .append(a.hook().isEmpty() ? "" : " " + a.hook()).append(selection(" layer", a.layers()))
                        .append(selection(" head", a.heads())).append(selection(" neuron", a.neurons()))
                        .append(selection(" position", a.positions()));
            } else if (intervention instanceof Intervention.Patching p) {
                text.append("patch ").append(p.hook()).append(' ').append(p.from()).append("->").append(p.into())
                        .append(selection(" layer", p.layers())).append(selection(" position", p.positions()))
                        .append(selection(" head", p.heads()));
            }
        }
        return text.toString();
    }

    private static String selection(String label, dev.arrakis.experiment.Selection selection) {
        if (!selection.isGiven()) {
            return "";
        }
        if (selection.all()) {
            return label + "=all";
        }
        String values = selection.values().stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(","));
        return label + "=" + (selection.swept() ? values : "[" + values + "]");
    }
}
