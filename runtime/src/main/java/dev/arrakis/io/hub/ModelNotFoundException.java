package dev.arrakis.io.hub;

import dev.arrakis.ArrakisException;
import java.util.List;

/**
 * A model is neither a checkpoint directory nor in the Hugging Face cache, and could not be downloaded. The message
 * says where Arrakis looked, why it did not download, and how to get the model.
 */
public final class ModelNotFoundException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    ModelNotFoundException(String model, List<String> placesLooked, String whyNotDownloaded, Throwable cause) {
        super(message(model, placesLooked, whyNotDownloaded), cause);
    }

    /** The one line that says what is wrong and how to fix it; the lines after it give the details. */
    static String firstLine(String model) {
        return "Model '" + model + "' is not available locally and could not be downloaded: get it with"
                + " `huggingface-cli download " + model + "` where the hub is reachable (details below)";
    }

    private static String message(String model, List<String> placesLooked, String whyNotDownloaded) {
        StringBuilder message = new StringBuilder()
                .append(firstLine(model)).append('\n')
                .append("Looked in:\n");
        placesLooked.forEach(place -> message.append("  - ").append(place).append('\n'));
        return message
                .append("Not downloaded: ").append(whyNotDownloaded).append('\n')
                .append("To get it, either:\n")
                .append("  - download it where the hub is reachable: huggingface-cli download ").append(model)
                .append(" (then copy the cache over, or set HF_HUB_CACHE to it)\n")
                .append("  - set HF_HUB_CACHE (or HF_HOME) to a Hugging Face cache that already holds it\n")
                .append("  - pass the path of a checkpoint directory with config.json and safetensors weights")
                .append(" instead of the name")
                .toString();
    }
}
