package dev.arrakis.tools.lens;

import java.util.List;
import java.util.Locale;

/**
 * What {@link PromptTest} found.
 *
 * @param promptTokens the prompt's tokens as strings
 * @param answerTokens the answer's tokens as strings
 * @param answers per answer token, its score at the position before it and the top-k there
 */
public record PromptReport(List<String> promptTokens, List<String> answerTokens, List<AnswerToken> answers) {

    /** One answer token's score and the tokens the model preferred at the same place. */
    public record AnswerToken(TokenScore score, List<TokenScore> top) {}

    /** The ranks of the answer tokens, 0 for the model's first choice. */
    public List<Integer> ranks() {
        return answers.stream().map(answer -> answer.score().rank()).toList();
    }

    /** The report as TransformerLens's {@code test_prompt} prints it. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        text.append("Tokenized prompt: ").append(quoted(promptTokens)).append('\n');
        text.append("Tokenized answer: ").append(quoted(answerTokens)).append('\n');
        for (AnswerToken answer : answers) {
            TokenScore score = answer.score();
            text.append("Performance on answer token:\n").append(String.format(Locale.ROOT,
                    "Rank: %-8d Logit: %5.2f Prob: %6.2f%% Token: |%s|%n", score.rank(), score.logit(),
                    100 * score.probability(), score.text()));
            for (TokenScore top : answer.top()) {
                text.append(String.format(Locale.ROOT, "Top %dth token. Logit: %5.2f Prob: %6.2f%% Token: |%s|%n",
                        top.rank(), top.logit(), 100 * top.probability(), top.text()));
            }
        }
        text.append("Ranks of the answer tokens: ").append(rankPairs());
        return text.toString();
    }

    private String rankPairs() {
        StringBuilder pairs = new StringBuilder("[");
        for (int i = 0; i < answers.size(); i++) {
            pairs.append(i == 0 ? "" : ", ").append("('").append(answerTokens.get(i)).append("', ")
                    .append(answers.get(i).score().rank()).append(")");
        }
        return pairs.append("]").toString();
    }

    private static String quoted(List<String> tokens) {
        return tokens.stream().map(token -> "'" + token + "'").toList().toString();
    }
}
