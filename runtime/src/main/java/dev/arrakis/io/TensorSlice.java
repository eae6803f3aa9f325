package dev.arrakis.io;

/** Where one tensor's bytes lie, as offsets into the data region that follows a safetensors header. */
record TensorSlice(TensorInfo info, long begin, long end) {

    boolean isEmpty() {
        return begin == end;
    }
}
