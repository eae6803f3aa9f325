package dev.arrakis.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and validates a safetensors header. The file is untrusted: every length and offset is checked before it is
 * used, so a corrupt or hostile file ends in {@link SafetensorsFormatException}, never in a huge allocation or a read
 * outside the file.
 */
final class SafetensorsHeaderReader {
    /** The reference implementation's cap; a longer header is corrupt, and allocating it could exhaust memory. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    private static final int LENGTH_PREFIX_BYTES = Long.BYTES;
    private static final String METADATA_KEY = "__metadata__";

    private final Path file;

    private SafetensorsHeaderReader(Path file) {
        this.file = file;
    }

    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        return new SafetensorsHeaderReader(file).read(channel);
    }

    private SafetensorsHeader read(FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < LENGTH_PREFIX_BYTES) {
            throw error("the file is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        long headerLength = readFully(channel, 0, LENGTH_PREFIX_BYTES).getLong();
        // Negative means a u64 above 2^63, which is beyond any cap.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw error("the header length " + Long.toUnsignedString(headerLength) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        long dataStart = LENGTH_PREFIX_BYTES + headerLength;
        if (dataStart > fileSize) {
            throw error("the header length " + headerLength + " runs past the end of the " + fileSize + "-byte file");
        }
        JsonNode root = parseJson(readFully(channel, LENGTH_PREFIX_BYTES, (int) headerLength));
        return parseEntries(root, dataStart, fileSize - dataStart);
    }

    private ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw error("the file ended while its header was being read");
            }
        }
        return buffer.flip();
    }

    private JsonNode parseJson(ByteBuffer headerBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, null, "the header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(file, null, "the header is not valid JSON: " + e.getOriginalMessage(),
                    e);
        }
        if (!root.isObject()) {
            throw error("the header must be a JSON object, but is " + describe(root));
        }
        return root;
    }

    private SafetensorsHeader parseEntries(JsonNode root, long dataStart, long dataLength) {
        Map<String, String> metadata = Map.of();
        List<TensorSlice> slices = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(entry.getValue());
            } else {
                slices.add(parseTensor(entry.getKey(), entry.getValue(), dataLength));
            }
        }
        slices.sort(Comparator.comparingLong(TensorSlice::begin)
                .thenComparingLong(TensorSlice::end)
                .thenComparing(slice -> slice.info().name()));
        requireDisjoint(slices);
        Map<String, TensorSlice> tensors = new LinkedHashMap<>();
        slices.forEach(slice -> tensors.put(slice.info().name(), slice));
        return new SafetensorsHeader(metadata, Collections.unmodifiableMap(tensors), dataStart);
    }

    private Map<String, String> parseMetadata(JsonNode node) {
        if (!node.isObject()) {
            throw error(METADATA_KEY + " must be a JSON object, but is " + describe(node));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw error(METADATA_KEY + " value for '" + entry.getKey() + "' must be a string, but is "
                        + describe(entry.getValue()));
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private TensorSlice parseTensor(String name, JsonNode entry, long dataLength) {
        if (!entry.isObject()) {
            throw error(name, "the entry must be a JSON object, but is " + describe(entry));
        }
        JsonNode dtypeNode = entry.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw error(name, "\"dtype\" must be a string, but is " + describe(dtypeNode));
        }
        long[] shape = nonNegativeIntegers(name, entry, "shape");
        long[] offsets = nonNegativeIntegers(name, entry, "data_offsets");
        if (offsets.length != 2) {
            throw error(name, "\"data_offsets\" must hold two integers, but holds " + offsets.length);
        }
        TensorInfo info;
        try {
            info = new TensorInfo(name, SafetensorsDType.parse(dtypeNode.textValue()), shape);
        } catch (ArrakisException e) {
            throw error(name, e.getMessage());
        }
        long begin = offsets[0];
        long end = offsets[1];
        String range = "data_offsets [" + begin + ", " + end + "]";
        if (begin > end) {
            throw error(name, range + " begin after they end");
        }
        if (end > dataLength) {
            throw error(name, range + " run past the end of the " + dataLength + "-byte data region");
        }
        if (end - begin != info.byteLength()) {
            throw error(name, range + " span " + (end - begin) + " bytes, but shape " + Arrays.toString(shape)
                    + " of " + info.dtype() + " needs " + info.byteLength());
        }
        return new TensorSlice(info, begin, end);
    }

    private long[] nonNegativeIntegers(String tensor, JsonNode entry, String field) {
        JsonNode node = entry.get(field);
        if (node == null || !node.isArray()) {
            throw error(tensor, "\"" + field + "\" must be an array of integers, but is " + describe(node));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw error(tensor, "\"" + field + "\" holds " + element + ", which is not a non-negative integer");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /** Sorted by begin, tensors are disjoint exactly when none starts before the previous one ends. */
    private void requireDisjoint(List<TensorSlice> sortedSlices) {
        TensorSlice previous = null;
        for (TensorSlice slice : sortedSlices) {
            // An empty tensor occupies no bytes, so it cannot collide with anything.
            if (slice.isEmpty()) {
                continue;
            }
            if (previous != null && slice.begin() < previous.end()) {
                throw error(slice.info().name(), "bytes [" + slice.begin() + ", " + slice.end()
                        + ") overlap those of tensor '" + previous.info().name() + "' [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
            previous = slice;
        }
    }

    private static String describe(JsonNode node) {
        return node == null || node.isMissingNode()
                ? "missing"
                : "a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private SafetensorsFormatException error(String problem) {
        return new SafetensorsFormatException(file, problem);
    }

    private SafetensorsFormatException error(String tensor, String problem) {
        return new SafetensorsFormatException(file, tensor, problem);
    }
}
