package dev.arrakis.cli;

import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Selection;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An intervention as one line of text, {@code ablate mean layer=[0] neuron=[3,17,200]}, for {@code list} (as declared)
 * and {@code show} (as a recorded run applied it): fixed values in brackets, swept ones bare, {@code all} for every
 * index.
 */
final class InterventionText {
    private InterventionText() {}

    static String describe(Intervention intervention) {
        StringBuilder text = new StringBuilder();
        if (intervention instanceof Intervention.Ablation a) {
            text.append("ablate ").append(a.method().name().toLowerCase(Locale.ROOT))
                    .append(a.hook().isEmpty() ? "" : " " + a.hook()).append(selection(" layer", a.layers()))
                    .append(selection(" head", a.heads())).append(selection(" neuron", a.neurons()))
                    .append(selection(" position", a.positions()));
        } else if (intervention instanceof Intervention.Patching p) {
            text.append("patch ").append(p.hook()).append(' ').append(p.from()).append("->").append(p.into())
                    .append(selection(" layer", p.layers())).append(selection(" position", p.positions()))
                    .append(selection(" head", p.heads()));
        } else if (intervention instanceof Intervention.Steering st) {
            text.append("steer ").append(st.hook()).append(" += ").append(st.sweptCoefficients().isEmpty()
                    ? String.valueOf(st.coefficient()) : "{" + st.sweptCoefficients().stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(",")) + "}").append(" * ")
                    .append(st.vector()).append(selection(" layer", st.layers()))
                    .append(selection(" position", st.positions()));
        }
        return text.toString();
    }

    private static String selection(String label, Selection selection) {
        if (!selection.isGiven()) {
            return "";
        }
        if (selection.all()) {
            return label + "=all";
        }
        String values = selection.values().stream().map(String::valueOf).collect(Collectors.joining(","));
        return label + "=" + (selection.swept() ? values : "[" + values + "]");
    }
}
