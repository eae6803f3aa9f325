package dev.arrakis.tools.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.TlReference;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prompt report reads rank, logit and probability off the model's logits at the position before each answer. */
class PromptTestTest {
    @Test
    void reportsEachAnswerTokenAsTheLogitsRankIt() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint())) {
            PromptReport report = PromptTest.run(model, "The cat sat on the", "mat", 3);
            assertEquals(List.of("The", " c", "at", " s", "at", " o", "n", " the"), report.promptTokens(),
                    "prompt tokens");
            assertEquals(List.of(" m", "at"), report.answerTokens(), "answer tokens (a space put before 'mat')");
            // ids of 'The cat sat on the mat' as HF's tokenizer gives them
            long[] ids = {294, 272, 284, 263, 284, 271, 78, 259, 282, 284};
            try (ForwardResult pass = model.forward(TokenBatch.of(ids))) {
                for (int i = 0; i < 2; i++) {
                    float[] logits = pass.logits().get(0, 7 + i).toFloatArray();
                    long answer = ids[8 + i];
                    int higher = 0;
                    double sum = 0;
                    int best = 0;
                    for (int t = 0; t < logits.length; t++) {
                        higher += logits[t] > logits[(int) answer] ? 1 : 0;
                        sum += Math.exp(logits[t]);
                        best = logits[t] > logits[best] ? t : best;
                    }
                    TokenScore score = report.answers().get(i).score();
                    assertEquals(answer, score.token(), "answer token " + i);
                    assertEquals(higher, score.rank(), "rank of answer token " + i);
                    assertEquals(logits[(int) answer], score.logit(), 0, "logit of answer token " + i);
                    assertEquals(Math.exp(logits[(int) answer]) / sum, score.probability(), 1e-6,
                            "probability of answer token " + i);
                    assertEquals(best, report.answers().get(i).top().get(0).token(), "top token before answer " + i);
                }
            }
            String text = report.toString();
            assertEquals(true, text.startsWith("Tokenized prompt: ['The', ' c', 'at', ' s', 'at', ' o', 'n', ' the']\n"
                    + "Tokenized answer: [' m', 'at']\nPerformance on answer token:\nRank: "), text);
            assertEquals(true, text.endsWith("Ranks of the answer tokens: [(' m', " + report.ranks().get(0)
                    + "), ('at', " + report.ranks().get(1) + ")]"), text);
        }
    }
}
