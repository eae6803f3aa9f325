package dev.arrakis.spec;

/** One thing wrong with an experiment definition: the catalogue entry and the formatted text. */
public record Problem(Message message, String text) {

    public static Problem of(Message message, Object... args) {
        return new Problem(message, message.format(args));
    }

    @Override
    public String toString() {
        return text;
    }
}
