package dev.arrakis.engine;

import dev.arrakis.spec.Intervention.Steering;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Selection;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line overrides of a {@code @Steer}: {@code layer} and {@code position} as index values like every
 * intervention's ({@code layer=0,1} sweeps), {@code hook} as a name, {@code coefficient} as one number or a list of
 * numbers that sweeps ({@code coefficient=0,0.5,1}, one point per value).
 */
final class SteeringOverrides {
    private SteeringOverrides() {}

    /** The steering with one attribute replaced, or null after adding the problem with the value. */
    static Steering set(Steering steering, String attribute, String key, String value, List<String> problems) {
        switch (attribute) {
            case "hook" -> {
                return new Steering(value, steering.layers(), steering.positions(), steering.coefficient(),
                        steering.vector(), steering.sweptCoefficients());
            }
            case "coefficient" -> {
                List<Double> coefficients = new ArrayList<>();
                for (String part : value.split(",", -1)) {
                    try {
                        coefficients.add(Double.parseDouble(part.strip()));
                    } catch (NumberFormatException e) {
                        problems.add(Message.BAD_OVERRIDE.format(value.contains(",")
                                ? "'" + key + "=" + value + "': '" + part + "' is not a number; write e.g."
                                        + " coefficient=0,0.5,1"
                                : "'" + key + "=" + value + "' is not a number; write e.g. coefficient=2.5"));
                        return null;
                    }
                }
                return steering.withCoefficients(coefficients);
            }
            default -> {
                Selection selection = Overrides.parseSelection(key, value, problems);
                if (selection == null) {
                    return null;
                }
                return attribute.equals("layer")
                        ? new Steering(steering.hook(), selection, steering.positions(), steering.coefficient(),
                                steering.vector(), steering.sweptCoefficients())
                        : new Steering(steering.hook(), steering.layers(), selection, steering.coefficient(),
                                steering.vector(), steering.sweptCoefficients());
            }
        }
    }
}
