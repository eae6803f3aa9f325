package dev.arrakis.samples.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Experiment classes for {@link ProcessorBenchmark} to compile: variations on the samples' shapes (HeadAblation,
 * ResidualPatching, AttentionHeads, LogitLensAndAttribution), so that the processor does the work a real project asks
 * of it: two {@code @Input}s, a baseline {@code @Run}, a head-sweep {@code @Ablate} and a fixed one, a layer by
 * position {@code @Patch}, a {@code @Capture}, head detection and logit-lens tool parameters, and {@code @Plot}s,
 * against one of the two toy checkpoints' configs under {@code models/} (which the processor reads).
 */
final class GeneratedExperiments {
    static final String PACKAGE = "dev.arrakis.samples.bench.generated";

    private static final String[] CONFIGS = {"models/gpt2-tiny/config.json", "models/induction-2l/config.json"};
    private static final int[] VOCABS = {384, 64};
    private static final String[] ABLATIONS = {"ZERO", "MEAN", "RESAMPLE"};
    private static final String[] HEAD_PATTERNS = {"PREVIOUS_TOKEN", "DUPLICATE_TOKEN", "INDUCTION"};

    private GeneratedExperiments() {}

    /** One source file: {@code typeName} is the simple name, in {@link #PACKAGE}. */
    record Source(String typeName, String text) {}

    /** {@code count} classes, {@code Experiment0 ..}; the same text for the same count. */
    static List<Source> sources(int count) {
        List<Source> sources = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            sources.add(source(index));
        }
        return sources;
    }

    private static Source source(int index) {
        String name = "Experiment" + index;
        int model = index % CONFIGS.length;
        String text = """
                package %1$s;

                import dev.arrakis.annotations.AblationMethod;
                import dev.arrakis.annotations.Ablate;
                import dev.arrakis.annotations.Capture;
                import dev.arrakis.annotations.DetectHeads;
                import dev.arrakis.annotations.Experiment;
                import dev.arrakis.annotations.FinalNorm;
                import dev.arrakis.annotations.HeadPattern;
                import dev.arrakis.annotations.Input;
                import dev.arrakis.annotations.LogitLens;
                import dev.arrakis.annotations.Patch;
                import dev.arrakis.annotations.Plot;
                import dev.arrakis.annotations.PlotKind;
                import dev.arrakis.annotations.Run;
                import dev.arrakis.annotations.Sweep;
                import dev.arrakis.hooks.AttentionPattern;
                import dev.arrakis.hooks.Logits;
                import dev.arrakis.model.TokenBatch;
                import dev.arrakis.tools.attention.HeadScores;
                import dev.arrakis.tools.lens.LayerLogits;

                /** Generated for the annotation-processing benchmark, variation %3$d. */
                @Experiment(config = "%4$s")
                public class %2$s {
                    static final int CORRECT = %5$d;
                    static final int DISTRACTOR = %6$d;

                    @Input
                    TokenBatch clean() {
                        return tokens(%3$d);
                    }

                    @Input
                    TokenBatch corrupted() {
                        return tokens(%3$d + 100);
                    }

                    static TokenBatch tokens(long seed) {
                        java.util.Random random = new java.util.Random(seed);
                        long[][] rows = new long[4][12];
                        for (long[] row : rows) {
                            java.util.Arrays.setAll(row, position -> random.nextInt(%7$d));
                        }
                        return TokenBatch.of(rows);
                    }

                    static double logitDiff(Logits logits) {
                        double sum = 0;
                        for (int row = 0; row < logits.batchSize(); row++) {
                            sum += logits.logitDiff(row, -1, CORRECT, DISTRACTOR);
                        }
                        return sum / logits.batchSize();
                    }

                    @Run(input = "clean")
                    double baseline(Logits logits) {
                        return logitDiff(logits);
                    }

                    @Run(input = "clean")
                    @Ablate(layer = Sweep.ALL, head = Sweep.ALL, method = AblationMethod.%8$s)
                    @Plot(title = "logit difference with each head ablated (%8$s)")
                    double eachHead(Logits logits) {
                        return logitDiff(logits);
                    }

                    @Run(input = "clean")
                    @Ablate(layer = %9$d, head = {0, %10$d})
                    double twoHeadsTogether(Logits logits) {
                        return logitDiff(logits);
                    }

                    @Patch(hook = "hook_resid_pre", layer = Sweep.ALL, position = Sweep.ALL)
                    @Plot(title = "clean logit difference restored by patching resid_pre")
                    double residPre(Logits logits) {
                        return logitDiff(logits);
                    }

                    @Run(input = "clean")
                    @Plot(kind = PlotKind.ATTENTION)
                    AttentionPattern pattern(@Capture("blocks.%9$d.attn.hook_pattern") AttentionPattern pattern) {
                        return pattern;
                    }

                    @Run(input = "clean")
                    @Plot(kind = PlotKind.HEATMAP, title = "%11$s score by layer and head")
                    HeadScores heads(@DetectHeads(HeadPattern.%11$s) HeadScores scores) {
                        return scores;
                    }

                    @Run(input = "clean")
                    @Plot(title = "probability of the correct token, by layer")
                    double[] lens(@LogitLens(FinalNorm.%12$s) LayerLogits lens) {
                        double[] probability = new double[lens.labels().size()];
                        for (int layer = 0; layer < probability.length; layer++) {
                            probability[layer] = lens.score(lens.labels().get(layer), 0, 11, CORRECT).probability();
                        }
                        return probability;
                    }
                }
                """.formatted(PACKAGE, name, index, CONFIGS[model], 3 + index, 17 + index, VOCABS[model],
                ABLATIONS[index % ABLATIONS.length], index % 2, 1 + index % 3,
                HEAD_PATTERNS[index % HEAD_PATTERNS.length], index % 2 == 0 ? "RECOMPUTED" : "CACHED_SCALE");
        return new Source(name, text);
    }
}
