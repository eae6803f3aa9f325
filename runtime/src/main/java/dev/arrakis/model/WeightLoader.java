package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.io.TensorInfo;
import dev.arrakis.io.WeightSource;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import dev.arrakis.util.DidYouMean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies a family's weight rules to a checkpoint: finds each source tensor (with or without the family's prefix),
 * checks its shape and creates the canonical array in the model's manager: over the mapped file itself where libtorch
 * can use the bytes as stored (a view where the canonical layout differs), decoded to f32 in Java otherwise. Any
 * tensor the family neither reads nor declares a buffer is an error, because it usually means the wrong family or a
 * broken export.
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
    /** The weights, by identity, made as views of the source's mapped bytes rather than copied. */
    private final Set<NDArray> fileMapped = Collections.newSetFromMap(new IdentityHashMap<>());

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
                NDArray tiedTo = weights.get(tied.tiedTo());
                NDArray transposed = tiedTo.transpose();
                if (fileMapped.contains(tiedTo)) {
                    fileMapped.add(transposed);
                }
                weights.put(rule.target(), transposed);
            } else if (rule instanceof WeightRule.SameAs same) {
                weights.put(rule.target(), weights.get(same.sameAs()));
            } else if (rule instanceof WeightRule.Zeros zeros) {
                weights.put(rule.target(), manager.zeros(new Shape(zeros.shape()), precision.dataType()));
            }
        }
        cache.release();
        unused.removeIf(family::isBuffer);
        if (!unused.isEmpty()) {
            throw new ModelLoadException("checkpoint has " + unused.size() + " tensor(s) the " + config.modelType()
                    + " family does not use, e.g. " + unused.stream().limit(5).toList()
                    + "; is this checkpoint really " + config.modelType() + "?");
        }
        return new TransformerWeights(config,
                WeightProcessor.process(weights, description, processing, manager, precision), fileMapped);
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
        NDArray stored = cache.stored(checkpointName, info);
        if (stored != null) {
            return fromMapped(rule, stored, cache);
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

    /**
     * The canonical weight as a libtorch view of the tensor mapped from the file (a slice for a fused tensor's part,
     * a transpose for a linear layer), so nothing is copied; only a dtype change, an offset ({@link
     * WeightRule.FromCheckpoint#added}) or several spans of a fused tensor make a new array. Those compute in f32 and
     * narrow last, in the order {@link #read}'s decoded path does, so both give bit-identical weights.
     */
    private NDArray fromMapped(WeightRule.FromCheckpoint rule, NDArray stored, SourceTensorCache cache) {
        NDArray selected = select(rule, stored);
        NDArray oriented = rule.transposed() ? selected.transpose() : selected;
        // always a new handle, never the stored array itself: weight processing closes the weights it replaces
        NDArray weight = oriented.reshape(new Shape(rule.shape()));
        // the intermediate views' handles go; libtorch keeps the storage as long as any view of it lives
        if (oriented != stored) {
            oriented.close();
        }
        if (selected != stored && selected != oriented) {
            selected.close();
        }
        if (rule.added() == 0 && stored.getDataType() == precision.dataType()) {
            cache.markViewed();
            boolean joined = !rule.selectsAll() && rule.spans().size() > 1;
            if (!joined) {
                fileMapped.add(weight);
            }
            return weight;
        }
        // out of place throughout: the mapping is read-only, and an in-place op on it would crash the JVM (SIGSEGV)
        NDArray widened = weight.toType(DataType.FLOAT32, false);
        NDArray shifted = rule.added() != 0 ? widened.add(rule.added()) : widened;
        NDArray converted = shifted.toType(precision.dataType(), false);
        Set<NDArray> intermediates = Collections.newSetFromMap(new IdentityHashMap<>());
        intermediates.addAll(List.of(weight, widened, shifted));
        intermediates.remove(converted);
        intermediates.forEach(NDArray::close);
        return converted;
    }

    /** The spans of the output axis (rows before a transpose, the last axis otherwise): a view for a single span. */
    private static NDArray select(WeightRule.FromCheckpoint rule, NDArray stored) {
        if (rule.selectsAll()) {
            return stored;
        }
        int axis = rule.transposed() ? 0 : stored.getShape().dimension() - 1;
        String leading = axis == 0 ? "" : "..., ";
        NDList parts = new NDList();
        for (WeightRule.Span span : rule.spans()) {
            parts.add(stored.get(new NDIndex(leading + "{}:{}", span.start(), span.start() + span.length())));
        }
        if (parts.size() == 1) {
            return parts.singletonOrThrow();
        }
        NDArray joined = NDArrays.concat(parts, axis);
        parts.close();
        return joined;
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

    /**
     * The stored tensor as an array over the source's own memory, without a copy, or null when it must be decoded in
     * Java: when the source hands out heap bytes (weights built in memory, which training updates in place, so they
     * must be the model's own), when libtorch cannot hold the dtype as stored (BF16 aborts the JVM; integers and F64
     * are rare enough to decode), when the bytes are not aligned to their element size (a file mixing dtypes may
     * place a tensor at any byte), or on a big-endian machine (safetensors is little-endian, libtorch native-endian).
     */
    static NDArray wrapStored(NDManager manager, TensorInfo info, ByteBuffer bytes) {
        DataType dataType = switch (info.dtype()) {
            case F32 -> DataType.FLOAT32;
            case F16 -> DataType.FLOAT16;
            default -> null;
        };
        if (dataType == null || !bytes.isDirect() || info.elementCount() == 0
                || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN
                || bytes.alignmentOffset(0, info.dtype().byteSize()) != 0) {
            return null;
        }
        return manager.create(bytes, new Shape(info.shape()), dataType);
    }

    /**
     * Keeps the last tensor read, since a fused tensor feeds several rules in a row (Q, K, V from c_attn): decoded to
     * f32, or as the array over the source's bytes that {@link #fromMapped} takes views of. That array stays in the
     * model's manager, holding the buffer (and so the file mapping) for as long as the model lives, once a weight
     * views it: libtorch reads the memory but does not own it, and the buffer is unmapped when the last Java
     * reference to it goes. One only converted is closed as soon as the next tensor is read.
     */
    private final class SourceTensorCache {
        private String name;
        private float[] values;
        private NDArray stored;
        private boolean viewed;

        float[] floats(String checkpointName) {
            moveTo(checkpointName);
            if (values == null) {
                values = source.readFloats(checkpointName);
            }
            return values;
        }

        /** The stored tensor over the source's memory, or null when it must be decoded ({@link #wrapStored}). */
        NDArray stored(String checkpointName, TensorInfo info) {
            if (!checkpointName.equals(name)) {
                moveTo(checkpointName);
                stored = wrapStored(manager, info, source.bytes(checkpointName));
            }
            return stored;
        }

        void markViewed() {
            viewed = true;
        }

        void moveTo(String checkpointName) {
            if (checkpointName.equals(name)) {
                return;
            }
            release();
            name = checkpointName;
        }

        /** Closes the last stored array unless a weight views it. */
        void release() {
            if (stored != null && !viewed) {
                stored.close();
            }
            stored = null;
            viewed = false;
            values = null;
            name = null;
        }
    }
}
