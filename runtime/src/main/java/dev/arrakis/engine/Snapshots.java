package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.arrakis.experiment.ModelInput;
import dev.arrakis.hooks.Activation;
import dev.arrakis.io.Json;
import dev.arrakis.model.TokenBatch;
import java.io.IOException;

/**
 * JSON snapshots of whatever an experiment passes around, for the run record. Never throws: a value Jackson cannot
 * write is recorded as its type and its {@code toString()}.
 */
final class Snapshots {
    private static final JsonMapper MAPPER = Json.MAPPER.rebuild()
            .addModule(new SimpleModule("arrakis-snapshots")
                    .addSerializer(TokenBatch.class, new TokenBatchSerializer())
                    .addSerializer(NDArray.class, new ArraySerializer())
                    .addSerializer(Activation.class, new ActivationSerializer()))
            .build();

    private Snapshots() {}

    static JsonNode of(Object value) {
        JsonNode node;
        try {
            node = MAPPER.valueToTree(value);
        } catch (RuntimeException | StackOverflowError e) {
            return fallback(value);
        }
        if (value instanceof ModelInput input && node instanceof ObjectNode object && !object.has("tokens")) {
            try {
                object.set("tokens", of(input.tokens()));
            } catch (RuntimeException e) {
                object.put("tokens", "unavailable: " + e);
            }
        }
        return node;
    }

    private static JsonNode fallback(Object value) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", value.getClass().getName());
        String text;
        try {
            text = String.valueOf(value);
        } catch (RuntimeException e) {
            text = value.getClass().getName() + " (toString threw " + e.getClass().getName() + ")";
        }
        node.put("toString", text);
        if (value instanceof ModelInput input) {
            try {
                node.set("tokens", of(input.tokens()));
            } catch (RuntimeException e) {
                node.put("tokens", "unavailable: " + e);
            }
        }
        return node;
    }

    /** {@code {"type": "TokenBatch", "tokens": [[...]], "attentionMask": [[...]]}}, the mask only with padding. */
    private static final class TokenBatchSerializer extends StdSerializer<TokenBatch> {
        private static final long serialVersionUID = 1L;

        TokenBatchSerializer() {
            super(TokenBatch.class);
        }

        @Override
        public void serialize(TokenBatch batch, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject();
            out.writeStringField("type", "TokenBatch");
            out.writeArrayFieldStart("tokens");
            for (int row = 0; row < batch.batchSize(); row++) {
                out.writeStartArray();
                for (int position = 0; position < batch.sequenceLength(); position++) {
                    out.writeNumber(batch.token(row, position));
                }
                out.writeEndArray();
            }
            out.writeEndArray();
            if (batch.hasPadding()) {
                out.writeArrayFieldStart("attentionMask");
                for (int row = 0; row < batch.batchSize(); row++) {
                    out.writeStartArray();
                    for (int position = 0; position < batch.sequenceLength(); position++) {
                        out.writeBoolean(batch.attended(row, position));
                    }
                    out.writeEndArray();
                }
                out.writeEndArray();
            }
            out.writeEndObject();
        }
    }

    /** An array's description, not its values: it may be large, and its memory may already be gone. */
    private static final class ArraySerializer extends StdSerializer<NDArray> {
        private static final long serialVersionUID = 1L;

        ArraySerializer() {
            super(NDArray.class);
        }

        @Override
        public void serialize(NDArray array, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject();
            out.writeStringField("type", "NDArray");
            out.writeStringField("dataType", String.valueOf(array.getDataType()));
            out.writeFieldName("shape");
            out.writeArray(array.getShape().getShape(), 0, array.getShape().dimension());
            out.writeEndObject();
        }
    }

    private static final class ActivationSerializer extends StdSerializer<Activation> {
        private static final long serialVersionUID = 1L;

        ActivationSerializer() {
            super(Activation.class);
        }

        @Override
        public void serialize(Activation activation, JsonGenerator out, SerializerProvider provider)
                throws IOException {
            out.writeStartObject();
            out.writeStringField("type", activation.kind().typeName());
            out.writeFieldName("shape");
            long[] shape = activation.shape();
            out.writeArray(shape, 0, shape.length);
            out.writeEndObject();
        }
    }
}
