package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint stored only as PyTorch pickle files. Unpickling can execute arbitrary code, so Arrakis never opens
 * such files; the message says how to convert the checkpoint to safetensors instead.
 */
public class UnsupportedCheckpointException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    // Kept as a string because Path is not Serializable and exceptions are.
    private final String directory;

    public UnsupportedCheckpointException(Path directory, List<String> pickleFiles) {
        super(message(directory.toAbsolutePath(), pickleFiles));
        this.directory = directory.toString();
    }

    private static String message(Path directory, List<String> pickleFiles) {
        return directory + " holds only PyTorch pickle weights " + pickleFiles + ". Arrakis never opens pickle files,"
                + " because unpickling can execute arbitrary code. Convert the checkpoint to safetensors once in"
                + " Python, which does unpickle it, so only for a checkpoint you trust:\n"
                + "  python -c \"from transformers import AutoModelForCausalLM as M; M.from_pretrained('" + directory
                + "').save_pretrained('" + directory + "', safe_serialization=True)\"\n"
                + "For a plain torch.save state dict, safetensors.torch.save_file(torch.load(FILE, weights_only=True),"
                + " '" + directory.resolve(CheckpointFiles.SINGLE_FILE) + "') does the same.";
    }

    public Path directory() {
        return Path.of(directory);
    }
}
