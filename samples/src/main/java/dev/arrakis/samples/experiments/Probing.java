package dev.arrakis.samples.experiments;

import ai.djl.ndarray.NDArray;
import dev.arrakis.annotations.Capture;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.hooks.Residual;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.probes.ProbeOptions;
import dev.arrakis.tools.probes.ProbeReport;
import dev.arrakis.tools.probes.Probes;
import dev.arrakis.train.InductionTask;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where in the residual stream can a linear probe read whether a token has already occurred in its sequence, beyond
 * what it can get by memorising token types? The model is {@code models/induction-2l}, which must know this to
 * continue a repeat. On 48 sequences of its training distribution (64 random tokens ending in a repeated segment of 8
 * to 32, seed 8) we label every position 1 when its token occurred earlier in the sequence, else 0, and fit a
 * logistic-regression probe (Newton's method, L2 penalty 1e-3) on the residual stream before block 0 (embeddings),
 * after block 0 and after block 1, on three quarters of the 3,072 positions (seeded), scoring the rest. Following
 * Hewitt and Liang (2019) we fit the same probe on a control task, in which every token type keeps one random label
 * (the same number of types per class), and report selectivity = accuracy - control accuracy per point.
 *
 * <p>What it shows (numbers in docs/tools/probes.md): on the embeddings the probe reads the property only through the
 * position (later positions are more often repeats), while token identity is plain, so the control task scores
 * higher than the real one and selectivity is negative. After block 1, whose induction heads find the token after an
 * earlier occurrence only when there is one, the real task scores best and the control task worst: the property is
 * now written in the stream, and selectivity turns positive.
 */
@Experiment(config = "models/induction-2l/config.json")
public class Probing {
    static final String EMBEDDINGS = "blocks.0.hook_resid_pre";
    static final String AFTER_BLOCK_0 = "blocks.0.hook_resid_post";
    static final String AFTER_BLOCK_1 = "blocks.1.hook_resid_post";
    static final List<String> STREAM = List.of(EMBEDDINGS, AFTER_BLOCK_0, AFTER_BLOCK_1);
    static final ProbeOptions OPTIONS = new ProbeOptions(0.25, 1e-3, 1);

    @Input
    TokenBatch sequences() {
        return new InductionTask(64, 64, 8, 32).batches(48, 8).next();
    }

    /** 1 where the token occurred earlier in its sequence, else 0. */
    static int[][] seenBefore(TokenBatch tokens) {
        int[][] labels = new int[tokens.batchSize()][tokens.sequenceLength()];
        for (int row = 0; row < labels.length; row++) {
            Set<Long> seen = new HashSet<>();
            for (int position = 0; position < labels[row].length; position++) {
                labels[row][position] = seen.add(tokens.token(row, position)) ? 0 : 1;
            }
        }
        return labels;
    }

    /** The probes, their held-out scores and weights, recorded whole. */
    @Run
    ProbeReport probes(@Capture(EMBEDDINGS) Residual embeddings, @Capture(AFTER_BLOCK_0) Residual afterBlock0,
            @Capture(AFTER_BLOCK_1) Residual afterBlock1, TokenBatch sequences) {
        Map<String, NDArray> stream = new LinkedHashMap<>();
        stream.put(EMBEDDINGS, embeddings.array());
        stream.put(AFTER_BLOCK_0, afterBlock0.array());
        stream.put(AFTER_BLOCK_1, afterBlock1.array());
        return Probes.classify(stream, sequences, seenBefore(sequences), 2, OPTIONS);
    }

    /** Rows: accuracy, control accuracy, selectivity; columns: before block 0, after block 0, after block 1. */
    @Run
    @Plot(kind = PlotKind.LINE, title = "probe for 'seen before': 0 accuracy, 1 control accuracy, 2 selectivity")
    double[][] byLayer(@Capture(EMBEDDINGS) Residual embeddings, @Capture(AFTER_BLOCK_0) Residual afterBlock0,
            @Capture(AFTER_BLOCK_1) Residual afterBlock1, TokenBatch sequences) {
        ProbeReport report = probes(embeddings, afterBlock0, afterBlock1, sequences);
        return new double[][] {report.accuracy(), report.controlAccuracy(), report.selectivity()};
    }
}
