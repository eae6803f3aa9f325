package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.io.TensorInfo;
import dev.arrakis.io.WeightSource;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import dev.arrakis.util.DidYouMean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies a family's weight rules to a checkpoint: finds each source tensor (with or without the family's prefix),
 * checks its shape, decodes it to f32 and creates the canonical array in the model's manager. Any tensor the family
 * neither reads nor declares a buffer is an error, because it usually means the wrong family or a broken export.
 * Weight processing, when asked for, rewrites the result before the model sees it ({@link WeightProcessor}).
 */
final class WeightLoader {
    private final WeightSource source;
    private final ModelFamily family;
    private final ModelConfig config;
    private final NDManager manager;
    private final boolean tiedEmbeddings;
    private final Precision precision;
    private final ModelDescription description;
    private final WeightProcessing processing;

    private WeightLoader(WeightSource source, ModelFamily family, ModelDescription description, NDManager manager,
            Precision precision, WeightProcessing processing) {
        this.source = source;
        this.family = family;
        this.description = description;
        this.processing = processing;
        this.config = description.config();
        this.tiedEmbeddings = description.tiedEmbeddings();
        this.manager = manager;
        this.precision = precision;
    }

    static TransformerWeights load(WeightSource source, ModelFamily family, ModelDescription description,
            NDManager manager, Precision precision, WeightProcessing processing) {
        return new WeightLoader(source, family, description, manager, precision, processing).load();
    }

    private TransformerWeights load() {
        Map<String, String> unprefixed = stripPrefix(source.names());
        List<WeightRule> rules = family.weightRules(config, unprefixed.keySet());
        Map<String, NDArray> weights = new LinkedHashMap<>();
        Set<String> unused = new TreeSet<>(unprefixed.keySet());
        SourceTensorCache cache = new SourceTensorCache();
        for (WeightRule rule : rules) {
            if (rule instanceof WeightRule.FromCheckpoint fromCheckpoint) {
                String checkpointName = unprefixed.get(fromCheckpoint.source());
                if (checkpointName == null) {
                    throw missing(fromCheckpoint, unprefixed.keySet());
                }
                unused.remove(fromCheckpoint.source());
                weights.put(rule.target(), read(fromCheckpoint, checkpointName, cache));
            } else if (rule instanceof WeightRule.TiedTranspose tied) {
                if (!tiedEmbeddings) {
                    throw new ModelLoadException("the checkpoint stores no output layer for " + rule.target()
                            + ", but config.json has tie_word_embeddings false (the " + config.modelType()
                            + " default when the key is absent); tying it to the embedding would give wrong logits");
                }
                weights.put(rule.target(), weights.get(tied.tiedTo()).transpose());
            } else if (rule instanceof WeightRule.SameAs same) {
                weights.put(rule.target(), weights.get(same.sameAs()));
            } else if (rule instanceof WeightRule.Zeros zeros) {
                weights.put(rule.target(), manager.zeros(new Shape(zeros.shape()), precision.dataType()));
            }
        }
        unused.removeIf(family::isBuffer);
        if (!unused.isEmpty()) {
            throw new ModelLoadException("checkpoint has " + unused.size() + " tensor(s) the " + config.modelType()
                    + " family does not use, e.g. " + unused.stream().limit(5).toList()
                    + "; is this checkpoint really " + config.modelType() + "?");
        }
        return new TransformerWeights(config,
                WeightProcessor.process(weights, description, processing, manager, precision));
    }

    /**
     * A missing tensor, with the nearest names; when nothing is near, the checkpoint probably belongs to another
     * family, so the message shows one of its names and questions the config's {@code model_type}.
     */
    private ModelLoadException missing(WeightRule.FromCheckpoint rule, Set<String> names) {
        String hint = DidYouMean.hint(rule.source(), names);
        if (hint.isEmpty()) {
            hint = "; the checkpoint holds names like '" + new TreeSet<>(names).first() + "': is model_type '"
                    + config.modelType() + "' in config.json right?";
        }
        return new ModelLoadException("checkpoint has no tensor '" + rule.source() + "' (needed for " + rule.target()
                + ")" + hint);
    }

    /** Maps names without the family prefix to the checkpoint's real names; the prefixed form wins if both exist. */
    private Map<String, String> stripPrefix(Set<String> names) {
        Map<String, String> unprefixed = new HashMap<>();
        for (String name : names) {
            unprefixed.putIfAbsent(name, name);
        }
        for (String prefix : family.checkpointPrefixes()) {
            for (String name : names) {
                if (name.startsWith(prefix)) {
                    unprefixed.remove(name);
                    unprefixed.put(name.substring(prefix.length()), name);
                }
            }
        }
        return unprefixed;
    }

    private NDArray read(WeightRule.FromCheckpoint rule, String checkpointName, SourceTensorCache cache) {
        TensorInfo info = source.info(checkpointName);
        long[] expected = rule.sourceShape();
        if (!Arrays.equals(info.shape(), expected)) {
            throw new ModelLoadException("checkpoint tensor '" + checkpointName + "' has shape "
                    + Arrays.toString(info.shape()) + " but " + rule.target() + " needs " + Arrays.toString(expected)
                    + " for this config (" + config.layers() + " layers, d_model " + config.dModel() + ")");
        }
        float[] values = cache.floats(checkpointName);
        if (rule.transposed()) {
            // [out, in]: pick output rows, then lay out as [in, out]
            if (!rule.selectsAll()) {
                values = selectRows(values, expected[1], rule.spans());
            }
            values = transpose(values, (int) (values.length / expected[1]), (int) expected[1]);
        } else if (!rule.selectsAll()) {
            values = selectColumns(values, expected[expected.length - 1], rule.spans());
        }
        if (rule.added() != 0) {
            values = values.clone();
            for (int i = 0; i < values.length; i++) {
                values[i] += rule.added();
            }
        }
        NDArray weight = manager.create(values, new Shape(rule.shape()));
        if (!precision.isReduced()) {
            return weight;
        }
        NDArray narrowed = weight.toType(precision.dataType(), false);
        weight.close();
        return narrowed;
    }

    private static float[] transpose(float[] values, int rows, int columns) {
        float[] transposed = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                transposed[c * rows + r] = values[r * columns + c];
            }
        }
        return transposed;
    }

    /** Whole rows of a row-major {@code [rows, width]} array, the spans' rows in order. */
    private static float[] selectRows(float[] values, long width, List<WeightRule.Span> spans) {
        long selected = spans.stream().mapToLong(WeightRule.Span::length).sum();
        float[] rows = new float[(int) (selected * width)];
        int at = 0;
        for (WeightRule.Span span : spans) {
            int length = (int) (span.length() * width);
            System.arraycopy(values, (int) (span.start() * width), rows, at, length);
            at += length;
        }
        return rows;
    }

    /** The spans' columns of every row of a row-major array whose last axis is {@code lastAxis} wide. */
    private static float[] selectColumns(float[] values, long lastAxis, List<WeightRule.Span> spans) {
        int width = (int) spans.stream().mapToLong(WeightRule.Span::length).sum();
        int rows = (int) (values.length / lastAxis);
        float[] columns = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            for (WeightRule.Span span : spans) {
                System.arraycopy(values, (int) (r * lastAxis + span.start()), columns, at, (int) span.length());
                at += (int) span.length();
            }
        }
        return columns;
    }

    /** Keeps the last decoded tensor, since a fused tensor feeds several rules in a row (Q, K, V from c_attn). */
    private final class SourceTensorCache {
        private String name;
        private float[] values;

        float[] floats(String checkpointName) {
            if (!checkpointName.equals(name)) {
                values = source.readFloats(checkpointName);
                name = checkpointName;
            }
            return values;
        }
    }
}
