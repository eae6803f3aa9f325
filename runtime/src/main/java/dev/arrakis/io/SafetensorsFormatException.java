package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A safetensors file, or a checkpoint index, that breaks its format. The message names the file and, where one is at
 * fault, the tensor.
 */
public class SafetensorsFormatException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    // Kept as strings because Path is not Serializable and exceptions are.
    private final String file;
    private final String tensor;

    public SafetensorsFormatException(Path file, String problem) {
        this(file, null, problem, null);
    }

    public SafetensorsFormatException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public SafetensorsFormatException(Path file, String tensor, String problem, Throwable cause) {
        super("Invalid " + file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem,
                cause);
        this.file = file.toString();
        this.tensor = tensor;
    }

    public Path file() {
        return Path.of(file);
    }

    public Optional<String> tensor() {
        return Optional.ofNullable(tensor);
    }
}
