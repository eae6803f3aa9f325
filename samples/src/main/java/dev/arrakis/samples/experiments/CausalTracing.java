package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.CausalTrace;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Restore;
import dev.arrakis.annotations.Run;
import dev.arrakis.tools.tracing.CausalTraceMap;
import dev.arrakis.tools.tracing.CausalTracer;
import dev.arrakis.tools.tracing.SubjectPrompts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * Where does a two-layer induction model keep the one earlier token its answer depends on? The model is
 * {@code models/induction-2l} (two attention-only layers, trained in Java to continue repeated token sequences).
 * Each of four prompts is shaped like its training data: 32 filler tokens, a segment of 16, and the segment again
 * without its last token (63 tokens, all distinct before the repeat). The last token (position 62) repeats the token
 * at position 46, so induction predicts the token that followed it there, at position 47. We corrupt the subject, the
 * earlier occurrence at position 46, by adding Gaussian noise of three times the token embeddings' standard deviation
 * to its embedding (ten seeded samples), and restore the clean hidden state (the output of block {@code l},
 * {@code hook_resid_post}) at one (layer, position) at a time, as Meng et al. (2022) trace facts in GPT-2 XL; a second
 * map restores block {@code l}'s attention output instead. Each cell is the answer's probability at the last position,
 * averaged over samples and prompts.
 *
 * <p>What the maps show, and why (numbers in docs/tools/causal-tracing.md): with the subject corrupted the answer's
 * probability falls from 1.00 to 0.48. Restoring the subject's own hidden state after block 0 brings nothing back (it
 * falls further, to 0.27), while restoring the next position (the answer's earlier occurrence) brings it back
 * entirely, and so does restoring only block 0's attention output there: block 0's previous-token heads have already
 * copied the subject into that position before block 1 reads it, and block 1's induction heads find the answer by that
 * copy. After block 1 only the last position matters, since nothing reads the others any more.
 */
@Experiment(config = "models/induction-2l/config.json")
public class CausalTracing {
    static final int VOCAB = 64;
    /** The repeated segment's length; the model saw segments of 8 to 32 tokens ending its 64-token context. */
    static final int SEGMENT = 16;
    static final int FILLER = 64 - 2 * SEGMENT;
    static final int PROMPTS = 4;
    /** The last position of each prompt: the second occurrence of the segment's second-to-last token. */
    static final int LAST = FILLER + 2 * SEGMENT - 2;
    /** The subject: the earlier occurrence of the last token. */
    static final int SUBJECT = LAST - SEGMENT;

    /** The prompts of the class comment; the answer is the segment's last token. */
    @Input
    SubjectPrompts prompts() {
        Random random = new Random(3);
        List<long[]> prompts = new ArrayList<>();
        int[][] subjects = new int[PROMPTS][];
        long[] answers = new long[PROMPTS];
        for (int prompt = 0; prompt < PROMPTS; prompt++) {
            List<Long> tokens = new ArrayList<>(LongStream.range(0, VOCAB).boxed().toList());
            Collections.shuffle(tokens, random);
            long[] sequence = new long[LAST + 1];
            for (int position = 0; position <= LAST; position++) {
                sequence[position] = tokens.get(position < FILLER + SEGMENT ? position : position - SEGMENT);
            }
            prompts.add(sequence);
            subjects[prompt] = new int[] {SUBJECT};
            answers[prompt] = tokens.get(SUBJECT + 1);
        }
        return new SubjectPrompts(prompts, subjects, answers);
    }

    /** The answer's probability with block l's output restored at one position: a layer x position heat map. */
    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "p(answer) with the clean resid_post restored at (layer, position)")
    CausalTraceMap residual(@CausalTrace(restore = Restore.RESIDUAL) CausalTracer tracer, SubjectPrompts prompts) {
        return tracer.trace(prompts);
    }

    /** The same with only block l's attention output restored. */
    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "p(answer) with the clean attn_out restored at (layer, position)")
    CausalTraceMap attention(@CausalTrace(restore = Restore.ATTENTION) CausalTracer tracer, SubjectPrompts prompts) {
        return tracer.trace(prompts);
    }
}
