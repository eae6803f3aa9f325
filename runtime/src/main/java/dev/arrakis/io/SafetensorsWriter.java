package dev.arrakis.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Writes safetensors files that the reference Python and Rust readers accept. */
public final class SafetensorsWriter {
    /** The reference writer pads the header to this, so that the data region starts aligned. */
    private static final int HEADER_ALIGNMENT = 8;
    private static final String METADATA_KEY = "__metadata__";

    private SafetensorsWriter() {
    }

    /**
     * Writes the tensors contiguously, in the map's iteration order, after a header padded with spaces to a multiple of
     * 8 bytes. The file appears atomically: a reader sees either the previous file or the complete new one.
     *
     * @param metadata the header's {@code __metadata__} pairs; when empty the header has no {@code __metadata__}
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        Path target = file.toAbsolutePath();
        ByteBuffer header = header(tensors, metadata);
        try {
            writeAtomically(target, header, tensors.values());
        } catch (IOException e) {
            throw new ArrakisException("Cannot write safetensors file " + target + ": " + e, e);
        }
    }

    /** The 8-byte little-endian header length followed by the padded JSON header. */
    private static ByteBuffer header(Map<String, TensorData> tensors, Map<String, String> metadata) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode metadataNode = root.putObject(METADATA_KEY);
            metadata.forEach(metadataNode::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> entry : tensors.entrySet()) {
            String name = Objects.requireNonNull(entry.getKey(), "tensor name");
            if (name.equals(METADATA_KEY)) {
                throw new ArrakisException("'" + METADATA_KEY + "' is reserved for the header's metadata and cannot "
                        + "name a tensor");
            }
            TensorData tensor = Objects.requireNonNull(entry.getValue(), name);
            long end = offset + tensor.data().remaining();
            ObjectNode tensorNode = root.putObject(name);
            tensorNode.put("dtype", tensor.dtype().name());
            ArrayNode shapeNode = tensorNode.putArray("shape");
            for (long dimension : tensor.shape()) {
                shapeNode.add(dimension);
            }
            tensorNode.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padding = (HEADER_ALIGNMENT - json.length % HEADER_ALIGNMENT) % HEADER_ALIGNMENT;
        ByteBuffer header = ByteBuffer.allocate(Long.BYTES + json.length + padding).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(json.length + padding).put(json);
        while (header.hasRemaining()) {
            header.put((byte) ' ');
        }
        return header.flip();
    }

    private static void writeAtomically(Path target, ByteBuffer header, Collection<TensorData> tensors)
            throws IOException {
        List<ByteBuffer> contents = new ArrayList<>(tensors.size() + 1);
        contents.add(header);
        tensors.forEach(tensor -> contents.add(tensor.data()));
        DurableFiles.replace(target, contents.toArray(ByteBuffer[]::new));
    }
}
