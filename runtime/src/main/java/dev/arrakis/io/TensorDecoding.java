package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.nio.ByteBuffer;

/** Widens a tensor's little-endian bytes, whatever their dtype, to the Java arrays callers compute with. */
final class TensorDecoding {
    private TensorDecoding() {
    }

    static float[] toFloats(TensorInfo info, ByteBuffer bytes) {
        SafetensorsDType dtype = info.dtype();
        float[] values = new float[Math.toIntExact(info.elementCount())];
        if (dtype == SafetensorsDType.F32) {
            bytes.asFloatBuffer().get(values);
            return values;
        }
        for (int index = 0; index < values.length; index++) {
            values[index] = floatAt(dtype, bytes, index);
        }
        return values;
    }

    static long[] toLongs(TensorInfo info, ByteBuffer bytes) {
        SafetensorsDType dtype = info.dtype();
        if (dtype.isFloatingPoint()) {
            throw new ArrakisException("Tensor '" + info.name() + "' holds " + dtype
                    + " values; read it as floats, not longs");
        }
        long[] values = new long[Math.toIntExact(info.elementCount())];
        for (int index = 0; index < values.length; index++) {
            values[index] = integerAt(dtype, bytes, index);
            if (dtype == SafetensorsDType.U64 && values[index] < 0) {
                throw new ArrakisException("Tensor '" + info.name() + "' holds the U64 value "
                        + Long.toUnsignedString(values[index]) + " at index " + index + ", beyond what a long holds");
            }
        }
        return values;
    }

    private static float floatAt(SafetensorsDType dtype, ByteBuffer bytes, int index) {
        int offset = index * dtype.byteSize();
        return switch (dtype) {
            case F64 -> (float) bytes.getDouble(offset);
            case F32 -> bytes.getFloat(offset);
            case F16 -> HalfFloats.f16ToFloat(bytes.getShort(offset));
            case BF16 -> HalfFloats.bf16ToFloat(bytes.getShort(offset));
            case U64 -> unsignedToFloat(bytes.getLong(offset));
            case I64, I32, I16, I8, U32, U16, U8, BOOL -> integerAt(dtype, bytes, index);
        };
    }

    /** Reads one integer element; a U64 comes back as its raw 64 bits. */
    private static long integerAt(SafetensorsDType dtype, ByteBuffer bytes, int index) {
        int offset = index * dtype.byteSize();
        return switch (dtype) {
            case I64, U64 -> bytes.getLong(offset);
            case I32 -> bytes.getInt(offset);
            case U32 -> Integer.toUnsignedLong(bytes.getInt(offset));
            case I16 -> bytes.getShort(offset);
            case U16 -> Short.toUnsignedLong(bytes.getShort(offset));
            case I8 -> bytes.get(offset);
            case U8 -> Byte.toUnsignedLong(bytes.get(offset));
            case BOOL -> bytes.get(offset) == 0 ? 0 : 1;
            case F64, F32, F16, BF16 -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
        };
    }

    private static float unsignedToFloat(long bits) {
        if (bits >= 0) {
            return bits;
        }
        // Halve to fit a signed long, keeping the dropped bit as a sticky bit so the float still rounds correctly.
        return ((bits >>> 1) | (bits & 1)) * 2f;
    }
}
