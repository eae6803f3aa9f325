package dev.arrakis.io;

import java.util.Map;

/**
 * A validated safetensors header.
 *
 * @param metadata the free-form string pairs of {@code __metadata__}
 * @param tensors every tensor, in the order of its bytes in the file
 * @param dataStart file offset of the data region, which tensor offsets are relative to
 */
record SafetensorsHeader(Map<String, String> metadata, Map<String, TensorSlice> tensors, long dataStart) {
}
