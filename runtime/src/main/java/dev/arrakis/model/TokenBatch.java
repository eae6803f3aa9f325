package dev.arrakis.model;

import dev.arrakis.ArrakisException;
import java.util.Arrays;
import java.util.List;

/**
 * Token ids for one forward pass: rows of equal length, with an optional attention mask for left-padded rows.
 * Positions follow the mask, so a padded row sees the same positions as the same tokens unpadded.
 */
public final class TokenBatch {
    private final long[][] tokens;
    private final boolean[][] attentionMask;

    private TokenBatch(long[][] tokens, boolean[][] attentionMask) {
        this.tokens = tokens;
        this.attentionMask = attentionMask;
    }

    /** Rows of equal length, every token attended. */
    public static TokenBatch of(long[]... rows) {
        requireRectangular(rows);
        return new TokenBatch(deepCopy(rows), null);
    }

    public static TokenBatch of(int[]... rows) {
        return of(Arrays.stream(rows).map(row -> Arrays.stream(row).asLongStream().toArray()).toArray(long[][]::new));
    }

    /**
     * Rows of any length, left-padded with {@code padId} to the longest; padding is masked out of attention and
     * does not advance positions.
     */
    public static TokenBatch leftPadded(List<long[]> rows, long padId) {
        if (rows.isEmpty()) {
            throw new ArrakisException("a token batch needs at least one row");
        }
        int length = rows.stream().mapToInt(row -> row.length).max().orElseThrow();
        long[][] tokens = new long[rows.size()][length];
        boolean[][] mask = new boolean[rows.size()][length];
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            if (row.length == 0) {
                throw new ArrakisException("row " + r + " of the token batch is empty");
            }
            int padding = length - row.length;
            Arrays.fill(tokens[r], 0, padding, padId);
            System.arraycopy(row, 0, tokens[r], padding, row.length);
            Arrays.fill(mask[r], padding, length, true);
        }
        return new TokenBatch(tokens, mask);
    }

    /** Rows with an explicit mask (true = attend), e.g. from a tokenizer; each row's padding must be on the left. */
    public static TokenBatch withMask(long[][] rows, boolean[][] attentionMask) {
        requireRectangular(rows);
        if (attentionMask.length != rows.length) {
            throw new ArrakisException("attention mask has " + attentionMask.length + " rows but the batch has "
                    + rows.length);
        }
        for (int r = 0; r < rows.length; r++) {
            if (attentionMask[r].length != rows[r].length) {
                throw new ArrakisException("attention mask row " + r + " has length " + attentionMask[r].length
                        + " but token row " + r + " has length " + rows[r].length);
            }
            boolean seenToken = false;
            for (int p = 0; p < attentionMask[r].length; p++) {
                if (seenToken && !attentionMask[r][p]) {
                    throw new ArrakisException("attention mask row " + r + " masks position " + p
                            + " after an attended token; only left padding is supported");
                }
                seenToken |= attentionMask[r][p];
            }
            if (!seenToken) {
                throw new ArrakisException("attention mask row " + r + " masks every position");
            }
        }
        return new TokenBatch(deepCopy(rows), deepCopy(attentionMask));
    }

    private static void requireRectangular(long[][] rows) {
        if (rows.length == 0 || rows[0].length == 0) {
            throw new ArrakisException("a token batch needs at least one row of at least one token");
        }
        for (int r = 1; r < rows.length; r++) {
            if (rows[r].length != rows[0].length) {
                throw new ArrakisException("token rows must have equal length: row 0 has " + rows[0].length
                        + " tokens, row " + r + " has " + rows[r].length + " (use leftPadded for ragged rows)");
            }
        }
    }

    private static long[][] deepCopy(long[][] rows) {
        return Arrays.stream(rows).map(long[]::clone).toArray(long[][]::new);
    }

    private static boolean[][] deepCopy(boolean[][] rows) {
        return Arrays.stream(rows).map(boolean[]::clone).toArray(boolean[][]::new);
    }

    public int batchSize() {
        return tokens.length;
    }

    public int sequenceLength() {
        return tokens[0].length;
    }

    public long token(int row, int position) {
        return tokens[row][position];
    }

    public boolean hasPadding() {
        return attentionMask != null;
    }

    /** Whether the token at that place is attended (always true without padding). */
    public boolean attended(int row, int position) {
        return attentionMask == null || attentionMask[row][position];
    }

    /** Token ids, row-major. */
    public long[] flatTokens() {
        return Arrays.stream(tokens).flatMapToLong(Arrays::stream).toArray();
    }

    /**
     * Position ids, row-major: each attended token's index among the attended tokens of its row; padding gets 0.
     * This is what HF's {@code generate} derives from the attention mask.
     */
    public long[] flatPositions() {
        long[] positions = new long[batchSize() * sequenceLength()];
        for (int r = 0; r < batchSize(); r++) {
            long next = 0;
            for (int p = 0; p < sequenceLength(); p++) {
                positions[r * sequenceLength() + p] = attended(r, p) ? next++ : 0;
            }
        }
        return positions;
    }

    /** The attention mask row-major as 1 (attend) and 0 (padding). */
    public float[] flatMask() {
        float[] mask = new float[batchSize() * sequenceLength()];
        for (int r = 0; r < batchSize(); r++) {
            for (int p = 0; p < sequenceLength(); p++) {
                mask[r * sequenceLength() + p] = attended(r, p) ? 1f : 0f;
            }
        }
        return mask;
    }
}
