package dev.arrakis.processor.validation;

import dev.arrakis.spec.Problem;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Everything wrong (and suspicious) about one element, each item at its exact site. Immutable once built; clean
 * when it holds no error, warnings do not count.
 */
public final class ValidationReport {

    /** One message and where it goes. */
    public record Item(Diagnostic.Kind kind, String message, Site site) {}

    private final Element subject;
    private final List<Item> items;

    private ValidationReport(Element subject, List<Item> items) {
        this.subject = subject;
        this.items = List.copyOf(items);
    }

    public static Builder about(Element subject) {
        return new Builder(subject);
    }

    public Element subject() {
        return subject;
    }

    public List<Item> items() {
        return items;
    }

    public boolean isClean() {
        return items.stream().noneMatch(item -> item.kind() == Diagnostic.Kind.ERROR);
    }

    /** Collects items; the validator never stops at the first problem. */
    public static final class Builder {
        private final Element subject;
        private final List<Item> items = new ArrayList<>();

        private Builder(Element subject) {
            this.subject = subject;
        }

        public Builder error(Problem problem, Site site) {
            items.add(new Item(Diagnostic.Kind.ERROR, problem.text(), site));
            return this;
        }

        public Builder warning(Problem problem, Site site) {
            items.add(new Item(Diagnostic.Kind.WARNING, problem.text(), site));
            return this;
        }

        /** Whether an error has been added so far. */
        public boolean hasErrors() {
            return items.stream().anyMatch(item -> item.kind() == Diagnostic.Kind.ERROR);
        }

        public ValidationReport build() {
            return new ValidationReport(subject, items);
        }
    }
}
