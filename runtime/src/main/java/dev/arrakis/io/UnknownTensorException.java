package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import dev.arrakis.util.DidYouMean;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** A tensor was asked for by a name its file or checkpoint does not hold; the message suggests the nearest names. */
public class UnknownTensorException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    private final String tensor;

    private UnknownTensorException(String tensor, String message) {
        super(message);
        this.tensor = tensor;
    }

    static UnknownTensorException of(String tensor, String source, Collection<String> knownNames) {
        List<String> suggestions = DidYouMean.closest(tensor, knownNames, 3);
        String hint = suggestions.isEmpty()
                ? "it holds no tensors at all"
                : "did you mean " + suggestions.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "))
                        + "?";
        return new UnknownTensorException(tensor, "No tensor '" + tensor + "' in " + source + "; " + hint);
    }

    public String tensor() {
        return tensor;
    }
}
