package dev.arrakis.tools.attention;

import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.Tokenizer;
import dev.arrakis.spec.HookPoints;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The keys one head attends to most from one query position. */
public final class TopAttendedTokens {
    private TopAttendedTokens() {}

    /**
     * One attended key.
     *
     * @param position the key's position in the row (padding included)
     * @param tokenId the token there
     * @param text the token as text, when a tokenizer was given (decoded alone, so leading spaces stay)
     * @param weight the attention weight
     */
    public record AttendedToken(int position, long tokenId, Optional<String> text, double weight) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d %s %.4f", position,
                    text.map(shown -> "'" + shown + "'").orElse("#" + tokenId), weight);
        }
    }

    /** The hook to cache: the layer's attention pattern. */
    public static List<String> requiredHooks(HookPoints points, int layer) {
        return List.of(LayerPatterns.hookName(points, layer));
    }

    /**
     * The {@code k} keys with the highest weight for {@code query} (negative counts from the end), strongest first,
     * ties by position; only real keys the query can see are candidates, so fewer than {@code k} come back near the
     * start.
     *
     * @throws ArrakisException when {@code k < 1}, or the row, head or query does not exist
     */
    public static List<AttendedToken> top(AttentionPattern pattern, TokenBatch tokens, int row, int head, int query,
            int k, Optional<Tokenizer> tokenizer) {
        long[] shape = pattern.shape();
        if (k < 1) {
            throw new ArrakisException("k must be at least 1, got " + k);
        }
        if (shape[0] != tokens.batchSize() || shape[2] != tokens.sequenceLength()) {
            throw new ArrakisException("the attention pattern " + pattern + " is not of this token batch ("
                    + tokens.batchSize() + " rows of " + tokens.sequenceLength() + " tokens)");
        }
        if (row < 0 || row >= shape[0] || head < 0 || head >= shape[1]) {
            throw new ArrakisException("row " + row + ", head " + head + " is outside " + pattern);
        }
        int positions = (int) shape[2];
        int resolved = query < 0 ? positions + query : query;
        if (resolved < 0 || resolved >= positions || !tokens.attended(row, resolved)) {
            throw new ArrakisException("query position " + query + " is not a real token of row " + row
                    + " (positions 0.."
                    + (positions - 1) + ", padding excluded)");
        }
        float[][] matrix = pattern.matrix(row, head);
        List<AttendedToken> keys = new ArrayList<>();
        for (int key = 0; key <= resolved; key++) {
            if (tokens.attended(row, key)) {
                long id = tokens.token(row, key);
                keys.add(new AttendedToken(key, id, tokenizer.map(t -> t.decode(new long[] {id})),
                        matrix[resolved][key]));
            }
        }
        keys.sort(Comparator.comparingDouble(AttendedToken::weight).reversed()
                .thenComparingInt(AttendedToken::position));
        return List.copyOf(keys.subList(0, Math.min(k, keys.size())));
    }
}
