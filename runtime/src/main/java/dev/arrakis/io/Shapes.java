package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.util.Arrays;

/** Shape arithmetic shared by tensor descriptions that come from untrusted headers and from callers. */
final class Shapes {
    private Shapes() {
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new ArrakisException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            try {
                count = Math.multiplyExact(count, dimension);
            } catch (ArithmeticException overflow) {
                throw new ArrakisException("shape " + Arrays.toString(shape)
                        + " has more elements than a long can count");
            }
        }
        return count;
    }

    static long byteLength(long[] shape, SafetensorsDType dtype) {
        try {
            return Math.multiplyExact(elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw new ArrakisException("shape " + Arrays.toString(shape) + " of " + dtype
                    + " has more bytes than a long can count");
        }
    }
}
