package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.io.SafetensorsWriter;
import dev.arrakis.io.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves large numeric arrays out of a run's JSON into one safetensors file beside it, and back.
 *
 * <p>A rectangular JSON array of numbers (nested one level per axis) with more than {@link #INLINE_LIMIT} numbers
 * becomes {@code {"$array": "arrays.safetensors", "tensor": "/results/0/values", "dtype": "F64", "shape": [...]}},
 * named by the JSON pointer of where it was. Whole numbers are stored as I64, anything else as F64, so values come
 * back exactly. Small arrays stay inline, where a reader of the JSON sees them without a tensor library.
 */
final class ArrayFiles {
    /** Numbers an array may hold and still be written inline. */
    static final int INLINE_LIMIT = 256;
    static final String FILE_NAME = "arrays.safetensors";
    static final String REFERENCE_KEY = "$array";

    private ArrayFiles() {}

    /**
     * Replaces every large array in {@code node} (in place) by a reference and writes them all to
     * {@code directory/arrays.safetensors}; writes nothing when there are none.
     *
     * @return how many arrays moved out
     */
    static int externalize(ObjectNode document, List<String> fields, Path directory) {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (String field : fields) {
            JsonNode value = document.get(field);
            if (value != null) {
                document.set(field, externalize(value, "/" + field, tensors));
            }
        }
        if (!tensors.isEmpty()) {
            SafetensorsWriter.write(directory.resolve(FILE_NAME), tensors, Map.of("format", "arrakis-run-arrays"));
        }
        return tensors.size();
    }

    private static JsonNode externalize(JsonNode node, String pointer, Map<String, TensorData> tensors) {
        if (node.isArray()) {
            long[] shape = numericShape(node);
            if (shape != null && count(shape) > INLINE_LIMIT) {
                TensorData tensor = toTensor(node, shape);
                tensors.put(pointer, tensor);
                ObjectNode reference = JsonNodeFactory.instance.objectNode();
                reference.put(REFERENCE_KEY, FILE_NAME);
                reference.put("tensor", pointer);
                reference.put("dtype", tensor.dtype().name());
                ArrayNode shapeNode = reference.putArray("shape");
                for (long size : shape) {
                    shapeNode.add(size);
                }
                return reference;
            }
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, externalize(array.get(i), pointer + "/" + i, tensors));
            }
        } else if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                object.set(name, externalize(object.get(name), pointer + "/" + escape(name), tensors));
            }
        }
        return node;
    }

    /** The array's shape when it is numbers nested rectangularly, else null. */
    private static long[] numericShape(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            return null;
        }
        JsonNode first = node.get(0);
        if (first.isNumber()) {
            for (JsonNode element : node) {
                if (!element.isNumber()) {
                    return null;
                }
            }
            return new long[] {node.size()};
        }
        long[] inner = numericShape(first);
        if (inner == null) {
            return null;
        }
        for (JsonNode element : node) {
            long[] shape = numericShape(element);
            if (shape == null || !java.util.Arrays.equals(shape, inner)) {
                return null;
            }
        }
        long[] shape = new long[inner.length + 1];
        shape[0] = node.size();
        System.arraycopy(inner, 0, shape, 1, inner.length);
        return shape;
    }

    private static TensorData toTensor(JsonNode node, long[] shape) {
        List<JsonNode> numbers = new ArrayList<>((int) count(shape));
        flatten(node, numbers);
        boolean whole = numbers.stream().allMatch(number -> number.isIntegralNumber() && number.canConvertToLong());
        if (whole) {
            return TensorData.i64(shape, numbers.stream().mapToLong(JsonNode::longValue).toArray());
        }
        return TensorData.f64(shape, numbers.stream().mapToDouble(JsonNode::doubleValue).toArray());
    }

    /** The leaves of nested arrays, in row-major order. */
    static void flatten(JsonNode node, List<JsonNode> into) {
        if (node.isArray()) {
            node.forEach(element -> flatten(element, into));
        } else {
            into.add(node);
        }
    }

    /**
     * The document with every reference replaced by the array it names, read from the run's directory.
     *
     * @throws RunStoreException when the arrays file is missing or does not hold a referenced tensor
     */
    static JsonNode inline(JsonNode document, Path directory) {
        JsonNode copy = document.deepCopy();
        if (!containsReference(copy)) {
            return copy;
        }
        try {
            requireArraysFile(copy, directory);
        } catch (RunStoreException e) {
            throw new RunStoreException(directory.getFileName() + ": " + e.getMessage(), e);
        }
        try (SafetensorsFile arrays = SafetensorsFile.open(directory.resolve(FILE_NAME))) {
            return inline(copy, arrays, directory);
        } catch (RunStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RunStoreException(directory.getFileName() + ": cannot read " + FILE_NAME + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The shape of the array a reference names, checked against the arrays file: the tensor must exist, have the
     * shape the record claims, and hold at least one element per row, as every array written here does (only arrays of
     * more than {@link #INLINE_LIMIT} numbers move out). A record is untrusted once on disk, and its claims decide how
     * much is built from it.
     *
     * @throws RunStoreException naming the run and the tensor when the file does not back the claim
     */
    static long[] backedShape(JsonNode reference, Path directory) {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new RunStoreException(directory.getFileName() + ": the record refers to " + FILE_NAME
                    + ", which is missing");
        }
        try (SafetensorsFile arrays = SafetensorsFile.open(file)) {
            return backedShape(reference, arrays, directory);
        } catch (RunStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RunStoreException(directory.getFileName() + ": cannot read " + FILE_NAME + ": "
                    + e.getMessage(), e);
        }
    }

    private static long[] backedShape(JsonNode reference, SafetensorsFile arrays, Path directory) {
        String tensor = reference.path("tensor").asText();
        if (!arrays.contains(tensor)) {
            throw new RunStoreException(directory.getFileName() + ": " + FILE_NAME + " has no tensor '" + tensor
                    + "'");
        }
        long[] shape = arrays.info(tensor).shape();
        if (!java.util.Arrays.equals(claimedShape(reference), shape)) {
            throw new RunStoreException(directory.getFileName() + ": the record gives tensor '" + tensor + "' "
                    + (reference.has("shape") ? "shape " + reference.get("shape") + ", but " : "no shape; ")
                    + FILE_NAME + " holds " + java.util.Arrays.toString(shape));
        }
        if (shape.length == 0 || java.util.Arrays.stream(shape).anyMatch(size -> size < 1)) {
            throw new RunStoreException(directory.getFileName() + ": tensor '" + tensor + "' of " + FILE_NAME
                    + " has shape " + java.util.Arrays.toString(shape) + ", not an array of numbers");
        }
        return shape;
    }

    /** The reference's {@code shape}, or null when it is not a list of whole numbers. */
    private static long[] claimedShape(JsonNode reference) {
        JsonNode shape = reference.path("shape");
        long[] sizes = new long[shape.size()];
        for (int axis = 0; axis < sizes.length; axis++) {
            if (!shape.isArray() || !shape.get(axis).isIntegralNumber() || !shape.get(axis).canConvertToLong()) {
                return null;
            }
            sizes[axis] = shape.get(axis).longValue();
        }
        return sizes;
    }

    /**
     * @throws RunStoreException when the record refers to arrays and the run's directory has no arrays file
     */
    static void requireArraysFile(JsonNode document, Path directory) {
        if (containsReference(document) && !Files.isRegularFile(directory.resolve(FILE_NAME))) {
            throw new RunStoreException(StoredRun.RECORD_FILE + " refers to " + FILE_NAME + ", which is missing");
        }
    }

    private static JsonNode inline(JsonNode node, SafetensorsFile arrays, Path directory) {
        if (isReference(node)) {
            String tensor = node.path("tensor").asText();
            long[] shape = backedShape(node, arrays, directory);
            return "I64".equals(node.path("dtype").asText())
                    ? nest(arrays.readLongs(tensor), null, shape)
                    : nest(null, arrays.readDoubles(tensor), shape);
        }
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, inline(array.get(i), arrays, directory));
            }
        } else if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                field.setValue(inline(field.getValue(), arrays, directory));
            }
        }
        return node;
    }

    static boolean isReference(JsonNode node) {
        return node.isObject() && node.has(REFERENCE_KEY) && node.has("tensor");
    }

    private static boolean containsReference(JsonNode node) {
        if (isReference(node)) {
            return true;
        }
        for (JsonNode child : node) {
            if (containsReference(child)) {
                return true;
            }
        }
        return false;
    }

    private static ArrayNode nest(long[] longs, double[] doubles, long[] shape) {
        int[] cursor = {0};
        return (ArrayNode) nest(longs, doubles, shape, 0, cursor);
    }

    private static JsonNode nest(long[] longs, double[] doubles, long[] shape, int axis, int[] cursor) {
        if (axis == shape.length) {
            int index = cursor[0]++;
            return longs != null ? JsonNodeFactory.instance.numberNode(longs[index])
                    : JsonNodeFactory.instance.numberNode(doubles[index]);
        }
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (long i = 0; i < shape[axis]; i++) {
            array.add(nest(longs, doubles, shape, axis + 1, cursor));
        }
        return array;
    }

    private static long count(long[] shape) {
        long count = 1;
        for (long size : shape) {
            count *= size;
        }
        return count;
    }

    /** JSON pointer escaping (RFC 6901): {@code ~} and {@code /} in a field name. */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
