package dev.arrakis.tools.lens;

import ai.djl.ndarray.NDArray;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * TransformerLens's {@code test_prompt}: run a prompt followed by its expected answer and report, for each answer
 * token, its rank, logit and probability at the position before it, and the top-k tokens there.
 */
public final class PromptTest {
    private PromptTest() {}

    /**
     * One forward pass over prompt + answer. As TransformerLens does by default, a space is put before an answer that
     * has none; the prompt gets BOS as the checkpoint's tokenizer adds it, the answer none.
     */
    public static PromptReport run(HookedTransformer model, String prompt, String answer, int topK) {
        Tokenizer tokenizer = model.requireTokenizer();
        String spacedAnswer = answer.startsWith(" ") ? answer : " " + answer;
        long[] promptIds = tokenizer.encode(prompt);
        long[] answerIds = tokenizer.encode(spacedAnswer, Tokenizer.Bos.NONE);
        if (promptIds.length == 0 || answerIds.length == 0) {
            throw new LensException("a prompt test needs a prompt and an answer of at least one token each; '"
                    + prompt + "' has " + promptIds.length + ", '" + spacedAnswer + "' has " + answerIds.length);
        }
        long[] ids = new long[promptIds.length + answerIds.length];
        System.arraycopy(promptIds, 0, ids, 0, promptIds.length);
        System.arraycopy(answerIds, 0, ids, promptIds.length, answerIds.length);
        Vocabulary vocabulary = new Vocabulary(model);
        List<PromptReport.AnswerToken> answers = new ArrayList<>();
        try (ForwardResult pass = model.forward(TokenBatch.of(ids))) {
            NDArray logits = pass.logits();
            for (int i = 0; i < answerIds.length; i++) {
                float[] before = logits.get(0, promptIds.length + i - 1).toFloatArray();
                answers.add(new PromptReport.AnswerToken(vocabulary.score(before, answerIds[i]),
                        vocabulary.topK(before, topK)));
            }
        }
        return new PromptReport(tokenizer.toStrTokens(promptIds), tokenizer.toStrTokens(answerIds), answers);
    }
}
