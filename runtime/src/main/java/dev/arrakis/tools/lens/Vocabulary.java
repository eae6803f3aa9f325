package dev.arrakis.tools.lens;

import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Tokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Ranks, probabilities and top-k of one logit vector, with each token's text when the model has a tokenizer. */
final class Vocabulary {
    private final Tokenizer tokenizer;
    private final int size;

    Vocabulary(Tokenizer tokenizer, int size) {
        this.tokenizer = tokenizer;
        this.size = size;
    }

    Vocabulary(HookedTransformer model) {
        this(model.tokenizer().orElse(null), model.config().vocabSize());
    }

    /** The token as the tokenizer decodes it alone, or {@code #id} without a tokenizer. */
    String text(long token) {
        return tokenizer == null ? "#" + token : tokenizer.toStrTokens(new long[] {token}).get(0);
    }

    void check(long token, String what) {
        if (token < 0 || token >= size) {
            throw new LensException(what + " " + token + " is outside the vocabulary (0.." + (size - 1) + ")");
        }
    }

    /** The {@code k} most likely tokens, best first (ties: lower id first), each ranked as {@link #score} ranks. */
    List<TokenScore> topK(float[] logits, int k) {
        if (k < 1 || k > logits.length) {
            throw new LensException("top-k needs 1 <= k <= " + logits.length + " (the vocabulary), got " + k);
        }
        double logSumExp = logSumExp(logits);
        List<Integer> order = IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.comparingDouble((Integer t) -> -logits[t]).thenComparingInt(t -> t))
                .limit(k).toList();
        List<TokenScore> top = new ArrayList<>();
        int rank = 0;
        for (int i = 0; i < order.size(); i++) {
            int token = order.get(i);
            if (i > 0 && logits[token] < logits[order.get(i - 1)]) {
                rank = i;
            }
            top.add(new TokenScore(token, text(token), rank, logits[token],
                    (float) Math.exp(logits[token] - logSumExp)));
        }
        return top;
    }

    /** One token's score: its rank counts the tokens with a strictly higher logit (ties share the better rank). */
    TokenScore score(float[] logits, long token) {
        check(token, "token");
        float logit = logits[(int) token];
        int rank = 0;
        for (float other : logits) {
            if (other > logit) {
                rank++;
            }
        }
        return new TokenScore(token, text(token), rank, logit, (float) Math.exp(logit - logSumExp(logits)));
    }

    private static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return max + Math.log(sum);
    }
}
