package dev.arrakis.io;

/** Widening of 16-bit floats to float; Java 17 has no Float.float16ToFloat. */
final class HalfFloats {
    private static final int F16_EXPONENT_BIAS = 15;
    private static final int F32_EXPONENT_BIAS = 127;

    private HalfFloats() {
    }

    /** IEEE 754 binary16 to float. Every binary16 value is exactly representable, so this never rounds. */
    static float f16ToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            // Infinity when the mantissa is zero, NaN otherwise; the payload is kept in the high mantissa bits.
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: the value is mantissa * 2^-24, which float holds exactly as a normal number.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        int floatExponent = exponent - F16_EXPONENT_BIAS + F32_EXPONENT_BIAS;
        return Float.intBitsToFloat(sign | (floatExponent << 23) | (mantissa << 13));
    }

    /** bfloat16 is the top half of a float's bits, so widening is a shift. */
    static float bf16ToFloat(short bfloat) {
        return Float.intBitsToFloat((bfloat & 0xFFFF) << 16);
    }
}
