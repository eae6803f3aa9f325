package dev.arrakis.engine;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Selection;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line changes to a run's interventions, written Hydra-style as {@code key=value}.
 *
 * <p>Keys: {@code layer}, {@code head}, {@code neuron}, {@code position} (or {@code positions}), {@code method}
 * ({@code zero}, {@code mean}, {@code resample}) and {@code hook}; a patch has no {@code neuron} or {@code method}; a
 * steering ({@code @Steer}) takes {@code layer}, {@code position}, {@code hook} and {@code coefficient} (one number).
 * A run with more than one intervention needs the key prefixed with the intervention it changes: {@code ablate1},
 * {@code ablate2}, ... in declaration order among the ablations, and {@code patch} (or {@code patch1}, ... with several
 * patches), e.g. {@code ablate2.head=3}.
 *
 * <p>Index values: {@code 3} (that index), {@code 3,4,5} (one run each), {@code range(0,12)} or
 * {@code range(0,12,2)} (one run each, end excluded), {@code all} (one run per valid index), {@code [6,9]} (together,
 * in one run).
 *
 * <p>This class only parses and applies; the runner checks the result against the model's shape, so that every
 * problem is reported at once and before the model loads.
 */
public final class Overrides {
    private static final List<String> ABLATION_KEYS = List.of("layer", "head", "neuron", "position", "method", "hook");
    private static final List<String> PATCH_KEYS = List.of("layer", "head", "position", "hook");
    private static final List<String> STEER_KEYS = List.of("layer", "position", "hook", "coefficient");
    private static final Map<String, String> ALIASES = Map.of("positions", "position");
    /**
     * A range is expanded into its indices before the runner checks them against the model, so one typed as
     * {@code range(0,2147483647)} must be refused first. 2^20 is beyond every axis of a real model (context lengths,
     * MLP widths), so no sweep a model could run is refused.
     */
    static final int MAX_RANGE_INDICES = 1 << 20;
    private static final String VALUE_FORMS =
            "write 3, 3,4,5 (one run each), range(0,12) or range(0,12,2), all, or [6,9] (together)";

    private Overrides() {}

    /**
     * Command-line arguments {@code key=value} as an override map, in order.
     *
     * @throws ExperimentDefinitionException for every argument without a key and an {@code =}, or a key given twice
     */
    public static Map<String, String> fromArguments(List<String> arguments) {
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (equals <= 0) {
                problems.add(Message.BAD_OVERRIDE.format("'" + argument + "' is not key=value, e.g. layer=3"));
            } else if (overrides.put(argument.substring(0, equals).trim(), argument.substring(equals + 1)) != null) {
                problems.add(Message.BAD_OVERRIDE.format("'" + argument.substring(0, equals).trim()
                        + "' is given twice"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ExperimentDefinitionException(problems);
        }
        return overrides;
    }

    /**
     * The interventions with the overrides applied, and the problems found; the interventions are meaningful only
     * when there are none.
     */
    record Applied(List<Intervention> interventions, List<String> problems) {}

    /** Applies overrides to a run's declared interventions. */
    static Applied apply(String runName, List<Intervention> declared, Map<String, String> overrides) {
        List<Intervention> interventions = new ArrayList<>(declared);
        List<String> problems = new ArrayList<>();
        List<String> labels = labels(declared);
        Map<String, String> assigned = new LinkedHashMap<>();
        overrides.forEach((rawKey, value) -> {
            String key = rawKey.trim();
            Target target = target(runName, key, declared, labels, problems);
            if (target == null) {
                return;
            }
            String canonical = labels.get(target.index) + "." + target.attribute;
            String earlier = assigned.putIfAbsent(canonical, key);
            if (earlier != null) {
                problems.add(Message.BAD_OVERRIDE.format("'" + key + "' and '" + earlier + "' both set "
                        + canonical));
                return;
            }
            Intervention changed = set(interventions.get(target.index), target.attribute, key, value.trim(),
                    problems);
            if (changed != null) {
                interventions.set(target.index, changed);
            }
        });
        return new Applied(List.copyOf(interventions), List.copyOf(problems));
    }

    /** The keys a run accepts, e.g. {@code [layer, head, ...]} or {@code [ablate1.layer, ..., patch.hook]}. */
    public static List<String> keys(List<Intervention> interventions) {
        List<String> labels = labels(interventions);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < interventions.size(); i++) {
            for (String attribute : attributes(interventions.get(i))) {
                keys.add(interventions.size() == 1 ? attribute : labels.get(i) + "." + attribute);
            }
        }
        return keys;
    }

    /**
     * What messages and prefixed keys call each intervention: {@code ablate1, ablate2, ...} in order among the
     * ablations, {@code patch} for a single patch or {@code patch1, ...} for several.
     */
    static List<String> labels(List<Intervention> interventions) {
        long patches = interventions.stream().filter(Patching.class::isInstance).count();
        List<String> labels = new ArrayList<>();
        long steerings = interventions.stream().filter(Intervention.Steering.class::isInstance).count();
        int ablation = 0;
        int patch = 0;
        int steer = 0;
        for (Intervention intervention : interventions) {
            if (intervention instanceof Ablation) {
                labels.add("ablate" + ++ablation);
            } else if (intervention instanceof Intervention.Steering) {
                steer++;
                labels.add(steerings == 1 ? "steer" : "steer" + steer);
            } else {
                patch++;
                labels.add(patches == 1 ? "patch" : "patch" + patch);
            }
        }
        return labels;
    }

    private record Target(int index, String attribute) {}

    private static Target target(String runName, String key, List<Intervention> declared, List<String> labels,
            List<String> problems) {
        int dot = key.indexOf('.');
        String prefix = dot < 0 ? null : key.substring(0, dot);
        String attribute = canonicalAttribute(dot < 0 ? key : key.substring(dot + 1));
        if (declared.isEmpty()) {
            problems.add(Message.BAD_OVERRIDE.format("run " + runName + " has no intervention, so '" + key
                    + "' has nothing to change"));
            return null;
        }
        int index;
        if (prefix == null) {
            if (declared.size() > 1 && isAttribute(attribute)) {
                List<String> prefixed = new ArrayList<>();
                for (int i = 0; i < declared.size(); i++) {
                    if (attributes(declared.get(i)).contains(attribute)) {
                        prefixed.add(labels.get(i) + "." + attribute);
                    }
                }
                problems.add(Message.BAD_OVERRIDE.format("'" + key + "' is ambiguous: run " + runName + " has "
                        + declared.size() + " interventions; write " + String.join(" or ", prefixed)));
                return null;
            }
            index = declared.size() == 1 ? 0 : -1;
        } else {
            index = indexOfLabel(prefix, labels);
        }
        if (index < 0 || !attributes(declared.get(index)).contains(attribute)) {
            List<String> valid = keys(declared);
            String because = index >= 0 && isAttribute(attribute)
                    ? labels.get(index) + " is " + (declared.get(index) instanceof Intervention.Steering ? "a steering"
                            : declared.get(index) instanceof Ablation ? "an ablation" : "a patch")
                            + ", which has no '" + attribute + "'"
                    : "unknown override key '" + key + "'" + DidYouMean.hint(key, valid);
            problems.add(Message.BAD_OVERRIDE.format(because + " (run " + runName + " takes "
                    + String.join(", ", valid) + ")"));
            return null;
        }
        return new Target(index, attribute);
    }

    private static int indexOfLabel(String prefix, List<String> labels) {
        int exact = labels.indexOf(prefix);
        if (exact >= 0) {
            return exact;
        }
        // With one ablation (or one patch) the unnumbered (or numbered) spelling means it too.
        String other = prefix.equals("ablate") ? "ablate1" : prefix.equals("patch1") ? "patch" : null;
        if (other != null && labels.indexOf(other) >= 0) {
            String kind = prefix.startsWith("ablate") ? "ablate" : "patch";
            if (labels.stream().filter(label -> label.startsWith(kind)).count() == 1) {
                return labels.indexOf(other);
            }
        }
        return -1;
    }

    private static String canonicalAttribute(String attribute) {
        return ALIASES.getOrDefault(attribute, attribute);
    }

    private static boolean isAttribute(String attribute) {
        return ABLATION_KEYS.contains(attribute) || STEER_KEYS.contains(attribute);
    }

    private static List<String> attributes(Intervention intervention) {
        return intervention instanceof Ablation ? ABLATION_KEYS
                : intervention instanceof Intervention.Steering ? STEER_KEYS : PATCH_KEYS;
    }

    private static Intervention set(Intervention intervention, String attribute, String key, String value,
            List<String> problems) {
        if (intervention instanceof Intervention.Steering steering) {
            return SteeringOverrides.set(steering, attribute, key, value, problems);
        }
        if (attribute.equals("hook")) {
            if (intervention instanceof Ablation a) {
                return new Ablation(value, a.layers(), a.heads(), a.neurons(), a.positions(), a.method());
            }
            Patching p = (Patching) intervention;
            return new Patching(value, p.layers(), p.positions(), p.heads(), p.from(), p.into());
        }
        if (attribute.equals("method")) {
            AblationMethod method = parseMethod(key, value, problems);
            if (method == null) {
                return null;
            }
            Ablation a = (Ablation) intervention;
            return new Ablation(a.hook(), a.layers(), a.heads(), a.neurons(), a.positions(), method);
        }
        Selection selection = parseSelection(key, value, problems);
        if (selection == null) {
            return null;
        }
        if (intervention instanceof Ablation a) {
            return switch (attribute) {
                case "layer" -> new Ablation(a.hook(), selection, a.heads(), a.neurons(), a.positions(), a.method());
                case "head" -> new Ablation(a.hook(), a.layers(), selection, a.neurons(), a.positions(), a.method());
                case "neuron" -> new Ablation(a.hook(), a.layers(), a.heads(), selection, a.positions(), a.method());
                default -> new Ablation(a.hook(), a.layers(), a.heads(), a.neurons(), selection, a.method());
            };
        }
        Patching p = (Patching) intervention;
        return switch (attribute) {
            case "layer" -> new Patching(p.hook(), selection, p.positions(), p.heads(), p.from(), p.into());
            case "head" -> new Patching(p.hook(), p.layers(), p.positions(), selection, p.from(), p.into());
            default -> new Patching(p.hook(), p.layers(), selection, p.heads(), p.from(), p.into());
        };
    }

    private static AblationMethod parseMethod(String key, String value, List<String> problems) {
        List<String> names = Arrays.stream(AblationMethod.values())
                .map(method -> method.name().toLowerCase(Locale.ROOT)).toList();
        String lower = value.toLowerCase(Locale.ROOT);
        if (names.contains(lower)) {
            return AblationMethod.valueOf(lower.toUpperCase(Locale.ROOT));
        }
        problems.add(Message.BAD_OVERRIDE.format("'" + key + "=" + value + "': unknown ablation method"
                + DidYouMean.hint(lower, names) + " (methods: " + String.join(", ", names) + ")"));
        return null;
    }

    /**
     * An index value as a {@link Selection}; null after adding the problem when it is malformed.
     *
     * @param key what to call the value in messages, e.g. {@code ablate1.layer}
     */
    static Selection parseSelection(String key, String value, List<String> problems) {
        String text = value.replace(" ", "");
        try {
            if (text.equals("all")) {
                return Selection.everyIndex();
            }
            if (text.startsWith("[") && text.endsWith("]")) {
                int[] together = distinct(integers(text.substring(1, text.length() - 1)));
                if (together.length == 0) {
                    problems.add(Message.BAD_OVERRIDE.format("'" + key + "=" + value + "' selects no index; "
                            + VALUE_FORMS));
                    return null;
                }
                return Selection.of(together);
            }
            if (text.startsWith("range(") && text.endsWith(")")) {
                return range(key, value, integers(text.substring("range(".length(), text.length() - 1)), problems);
            }
            int[] values = distinct(integers(text));
            if (values.length == 0) {
                problems.add(Message.BAD_OVERRIDE.format("'" + key + "=' has no value; " + VALUE_FORMS));
                return null;
            }
            return values.length == 1 && !text.contains(",") ? Selection.of(values) : Selection.sweep(values);
        } catch (NumberFormatException e) {
            problems.add(Message.BAD_OVERRIDE.format("'" + key + "=" + value + "' is not an index value; "
                    + VALUE_FORMS));
            return null;
        }
    }

    private static Selection range(String key, String value, int[] arguments, List<String> problems) {
        if (arguments.length < 2 || arguments.length > 3) {
            problems.add(Message.BAD_OVERRIDE.format("'" + key + "=" + value + "': range takes (start, end) or"
                    + " (start, end, step)"));
            return null;
        }
        int step = arguments.length == 3 ? arguments[2] : 1;
        if (step == 0) {
            problems.add(Message.BAD_OVERRIDE.format("'" + key + "=" + value + "': a range's step cannot be 0"));
            return null;
        }
        long span = (long) arguments[1] - arguments[0];
        long count = span == 0 || (span > 0) != (step > 0) ? 0 : (Math.abs(span) - 1) / Math.abs(step) + 1;
        if (count > MAX_RANGE_INDICES) {
            problems.add(Message.BAD_OVERRIDE.format("'" + key + "=" + value + "' selects " + count + " indices;"
                    + " a range may select at most " + MAX_RANGE_INDICES + ", more than any model axis has"));
            return null;
        }
        List<Integer> values = new ArrayList<>((int) count);
        for (long i = arguments[0]; step > 0 ? i < arguments[1] : i > arguments[1]; i += step) {
            values.add((int) i);
        }
        if (values.isEmpty()) {
            problems.add(Message.EMPTY_SWEEP.format(key + "=" + value));
            return null;
        }
        return new Selection(values, false, true);
    }

    /** The comma-separated integers, in order. */
    private static int[] integers(String commaSeparated) {
        if (commaSeparated.isEmpty()) {
            return new int[0];
        }
        return Arrays.stream(commaSeparated.split(",", -1)).mapToInt(Integer::parseInt).toArray();
    }

    /** An index listed twice is still one index (and one run). */
    private static int[] distinct(int[] values) {
        Set<Integer> seen = new LinkedHashSet<>();
        for (int value : values) {
            seen.add(value);
        }
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }
}
