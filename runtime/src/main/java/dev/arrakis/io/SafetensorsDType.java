package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.util.Arrays;

/** Element types of the safetensors format, spelled exactly as they appear in a file's header. */
public enum SafetensorsDType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U64(8),
    U32(4),
    U16(2),
    U8(1),
    BOOL(1);

    private final int byteSize;

    SafetensorsDType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * Looks up the dtype a header names. The match is case-sensitive because the format is: "f32" is not a valid
     * safetensors dtype, and accepting it would let us read files other readers reject.
     */
    public static SafetensorsDType parse(String headerName) {
        for (SafetensorsDType dtype : values()) {
            if (dtype.name().equals(headerName)) {
                return dtype;
            }
        }
        throw new ArrakisException("Unknown safetensors dtype '" + headerName + "'; Arrakis reads "
                + Arrays.toString(values()));
    }
}
