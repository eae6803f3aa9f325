package dev.arrakis.cli;

import dev.arrakis.spec.HookPoint;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.spec.ModelConfig;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code arrakis hooks}: every hook point of a model with its shape. */
@Command(name = "hooks", description = "List every hook point of a model with its shape for one sequence.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis hooks --model gpt2", "  arrakis hooks --model path/to/checkpoint --seq 16"})
final class HooksCommand implements Runnable {
    @Mixin
    private ModelOption model;

    @Option(names = "--seq", defaultValue = "8", paramLabel = "N", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    private int sequenceLength;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        if (sequenceLength <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--seq must be positive, got " + sequenceLength);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (HookedTransformer transformer = model.load()) {
            transformer.checkSequenceLength(sequenceLength);
            ModelConfig config = transformer.config();
            String kvHeads = config.kvHeads() == config.heads() ? "" : " (" + config.kvHeads() + " key/value)";
            out.printf("%s: %d layers, %d heads%s, d_model %d, d_head %d, d_mlp %d, vocab %d, context %d%n",
                    config.modelType(), config.layers(), config.heads(), kvHeads, config.dModel(), config.dHead(),
                    config.dMlp(), config.vocabSize(), config.contextLength());
            int width = transformer.hookPoints().all().stream().mapToInt(p -> p.name().length()).max().orElse(0);
            for (HookPoint point : transformer.hookPoints().all()) {
                String shape = Arrays.stream(point.shape(config, 1, sequenceLength))
                        .mapToObj(Long::toString)
                        .collect(Collectors.joining(", ", "[", "]"));
                out.printf("%-" + width + "s  %-16s %s%s%n", point.name(), shape, point.dimsLabel(),
                        point.optIn() ? "  (computed only when asked for)" : "");
            }
        }
    }
}
