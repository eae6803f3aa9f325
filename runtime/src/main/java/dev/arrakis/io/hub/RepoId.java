package dev.arrakis.io.hub;

import dev.arrakis.ArrakisException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model repo id such as {@code gpt2} or {@code EleutherAI/pythia-70m}, held to huggingface_hub's rules so that it
 * is safe to put in a URL path and a cache folder name as it is.
 */
record RepoId(String value) {

    private static final int MAX_LENGTH = 96;
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");

    RepoId {
        problemWith(value).ifPresent(problem -> {
            throw new ArrakisException("'" + value + "' is neither an existing directory nor a valid Hugging Face"
                    + " model id such as gpt2 or EleutherAI/pythia-70m: " + problem);
        });
    }

    /** The repo's folder in the hub cache; {@code --} never occurs in a valid id, so the mapping is reversible. */
    String cacheFolderName() {
        return "models--" + value.replace("/", "--");
    }

    @Override
    public String toString() {
        return value;
    }

    private static Optional<String> problemWith(String id) {
        if (id.isBlank()) {
            return Optional.of("it is empty");
        }
        if (id.length() > MAX_LENGTH) {
            return Optional.of("it is longer than " + MAX_LENGTH + " characters");
        }
        if (id.contains("..") || id.contains("--")) {
            return Optional.of("it contains '..' or '--'");
        }
        String[] parts = id.split("/", -1);
        if (parts.length > 2) {
            return Optional.of("it has more than one '/'");
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                return Optional.of("the organisation or the name around '/' is empty");
            }
            if (!NAME_PART.matcher(part).matches()) {
                return Optional.of("'" + part + "' must be letters, digits, '.', '_' and '-', starting and ending"
                        + " with a letter or digit");
            }
        }
        return Optional.empty();
    }
}
