package dev.arrakis.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Precision;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.Tokenizer;
import dev.arrakis.plot.TokenText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code arrakis demo}: the first look at the runtime on a committed checkpoint. It runs a prompt once with a cache,
 * once with one attention head zero-ablated, and prints what the head attended to and what ablating it changed.
 */
@Command(name = "demo", description = "Cache a head's attention, ablate the head, and show what changed.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis demo", "  arrakis demo --layer 0 --head 3 --text \"When Mary and John went to the store\""})
final class DemoCommand implements Runnable {
    /** The installation's tiny GPT-2, which the samples use too; below {@code arrakis.home}, set by the launcher. */
    static final String DEFAULT_CHECKPOINT = "models/gpt2-tiny";

    @Option(names = "--model", paramLabel = "DIR|NAME",
            description = "Checkpoint (default: the committed " + DEFAULT_CHECKPOINT + " of the installation).")
    private String model;

    @Option(names = "--text", paramLabel = "TEXT", defaultValue = "The cat sat on the mat because the cat was tired.",
            description = "Prompt (default: \"${DEFAULT-VALUE}\").")
    private String text;

    @Option(names = "--layer", paramLabel = "N", defaultValue = "1",
            description = "Layer of the head to ablate (default: ${DEFAULT-VALUE}).")
    private int layer;

    @Option(names = "--head", paramLabel = "N", defaultValue = "0", description = "Head to ablate (default: ${DEFAULT-VALUE}).")
    private int head;

    @Mixin
    private ProcessWeightsOption weights;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        try (HookedTransformer transformer = HookedTransformer.load(model != null ? model : defaultCheckpoint(),
                HubSettings.fromEnvironment(), Precision.F32, weights.processing())) {
            ModelConfig config = transformer.config();
            if (layer < 0 || layer >= config.layers() || head < 0 || head >= config.heads()) {
                throw new ArrakisException("head " + layer + "." + head + " does not exist: layers 0.."
                        + (config.layers() - 1) + ", heads 0.." + (config.heads() - 1));
            }
            Tokenizer tokenizer = transformer.tokenizer().orElseThrow(() -> new ArrakisException(
                    "the demo needs a checkpoint with tokenizer.json; " + transformer.source() + " has none"));
            long[] ids = tokenizer.encode(text);
            List<String> tokens = java.util.Arrays.stream(ids).mapToObj(id -> tokenizer.decode(new long[] {id})).toList();
            int last = ids.length - 1;
            out.printf("model  %s from %s: %d layers x %d heads, d_model %d%n", config.modelType(),
                    transformer.source(), config.layers(), config.heads(), config.dModel());
            out.printf("prompt \"%s\" -> %d tokens%n%n", text, ids.length);

            String pattern = transformer.hookPoints().block(layer).pattern().name();
            String z = transformer.hookPoints().block(layer).z().name();
            TokenBatch batch = TokenBatch.of(ids);
            try (ForwardResult clean = transformer.runWithCache(batch, pattern);
                    ForwardResult ablated = transformer.run(batch,
                            RunOptions.none().withHook(z, Interventions.zeroHeads(head)))) {
                float[] attention = clean.cache().get(pattern).get(new NDIndex(0, head, last)).toFloatArray();
                out.printf("cached %s %s; head %d.%d at the last token %s attends to:%n", pattern,
                        clean.cache().get(pattern).getShape(), layer, head, quoted(tokens.get(last)));
                topIndices(attention, 3).forEach(k -> out.printf("  %-12s %.3f%n", quoted(tokens.get(k)), attention[k]));

                float[] cleanProbs = lastPositionProbabilities(clean.logits(), last);
                float[] ablatedProbs = lastPositionProbabilities(ablated.logits(), last);
                out.printf("%nnext-token prediction      clean -> head %d.%d zero-ablated (%s)%n", layer, head, z);
                for (int token : topIndices(cleanProbs, 5)) {
                    out.printf("  %-22s %.4f -> %.4f%n", quoted(tokenizer.decode(new long[] {token})),
                            cleanProbs[token], ablatedProbs[token]);
                }
                NDArray difference = ablated.logits().sub(clean.logits()).abs();
                out.printf("%nablating head %d.%d moved the logits by up to %.4f (mean %.4f);"
                                + " KL(clean || ablated) at the last token = %.5f nats%n",
                        layer, head, difference.max().getFloat(), difference.mean().getFloat(),
                        klDivergence(cleanProbs, ablatedProbs));
            }
        }
    }

    private static String defaultCheckpoint() {
        return Path.of(System.getProperty("arrakis.home", ".")).resolve(DEFAULT_CHECKPOINT).toString();
    }

    private static float[] lastPositionProbabilities(NDArray logits, int last) {
        return logits.get(new NDIndex(0, last)).softmax(-1).toFloatArray();
    }

    private static List<Integer> topIndices(float[] values, int count) {
        return IntStream.range(0, values.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> values[i]).reversed())
                .limit(count)
                .toList();
    }

    private static double klDivergence(float[] p, float[] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                sum += p[i] * (Math.log(p[i]) - Math.log(q[i]));
            }
        }
        return sum;
    }

    private static String quoted(String token) {
        return "'" + TokenText.display(token) + "'";
    }
}
