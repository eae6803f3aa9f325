package dev.arrakis.processor.validation;

import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Inputs the runs cannot have, each one mistake that deserves one message rather than an unbound parameter and a
 * missing model input in every run: methods that look like inputs but lack {@code @Input} (no parameters or the
 * model, a result, neither a run method nor an override), and {@code @Input} methods that have an error of their
 * own. When a run needs an input that no usable {@code @Input} provides and one of these would, the run is checked
 * as if it were there; a method without {@code @Input} then gets one error naming the runs that need it.
 */
final class MissingInputs {

    /**
     * A method that could be an input, as bindings see it.
     *
     * @param name its input name: the method's, or its {@code @Input} value
     * @param explained whether an error already says what is wrong with it (an {@code @Input} method in error)
     */
    private record Candidate(ExecutableElement method, TypeMirror type, String name, boolean explained) {}

    private final RuntimeTypes runtime;
    private final List<Candidate> candidates;
    /** The runs that need each candidate, in the order found. */
    private final Map<Candidate, Set<String>> needs = new LinkedHashMap<>();

    private MissingInputs(RuntimeTypes runtime, List<Candidate> candidates) {
        this.runtime = runtime;
        this.candidates = candidates;
    }

    /**
     * The methods of {@code type} that could be inputs.
     *
     * @param isAnnotated whether a method is an input or run method already
     * @param unusable the {@code @Input} methods that have an error of their own, by input name
     */
    static MissingInputs of(TypeElement type, Elements elements, RuntimeTypes runtime,
            Predicate<ExecutableElement> isAnnotated, Map<String, ExecutableElement> unusable) {
        List<Candidate> candidates = new ArrayList<>();
        unusable.forEach((name, method) -> candidates.add(new Candidate(method, method.getReturnType(), name, true)));
        for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
            boolean takesNothingOrTheModel = method.getParameters().isEmpty()
                    || method.getParameters().size() == 1
                    && runtime.isSame(method.getParameters().get(0).asType(), runtime.model);
            if (method.getReturnType().getKind() != TypeKind.VOID && takesNothingOrTheModel
                    && !isAnnotated.test(method) && !overridesAnything(method, type, elements, runtime)) {
                candidates.add(new Candidate(method, method.getReturnType(), method.getSimpleName().toString(),
                        false));
            }
        }
        return new MissingInputs(runtime, candidates);
    }

    /** {@code toString()} and other overrides are the class's business with its supertypes, never inputs. */
    private static boolean overridesAnything(ExecutableElement method, TypeElement type, Elements elements,
            RuntimeTypes runtime) {
        for (TypeMirror supertype : runtime.types.directSupertypes(type.asType())) {
            if (supertype instanceof DeclaredType declared && declared.asElement() instanceof TypeElement parent) {
                for (ExecutableElement inherited : ElementFilter.methodsIn(elements.getAllMembers(parent))) {
                    if (elements.overrides(method, inherited, type)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The missing input a parameter of {@code runName} would take: the one candidate whose result it can take, or
     * among several, the one named like the parameter.
     */
    Optional<String> forParameter(TypeMirror parameter, String parameterName, String runName) {
        List<Candidate> fitting = candidates.stream()
                .filter(candidate -> candidate.type().getKind() != TypeKind.VOID
                        && runtime.types.isAssignable(candidate.type(), parameter))
                .toList();
        if (fitting.size() > 1) {
            fitting = fitting.stream().filter(candidate -> candidate.name().equals(parameterName)).toList();
        }
        return fitting.size() == 1 ? Optional.of(need(fitting.get(0), runName)) : Optional.empty();
    }

    /** The missing input {@code runName} would run the model on: the one candidate the model can run on. */
    Optional<String> forModel(String runName) {
        List<Candidate> runnable = candidates.stream().filter(candidate -> runtime.isRunnable(candidate.type()))
                .toList();
        return runnable.size() == 1 ? Optional.of(need(runnable.get(0), runName)) : Optional.empty();
    }

    /** The missing input {@code runName} names, e.g. in {@code @Run(input = ...)}. */
    Optional<String> named(String name, String runName) {
        return candidates.stream().filter(candidate -> candidate.name().equals(name)).findFirst()
                .map(candidate -> need(candidate, runName));
    }

    private String need(Candidate candidate, String runName) {
        needs.computeIfAbsent(candidate, key -> new LinkedHashSet<>()).add(runName);
        return candidate.name();
    }

    /** One error per method without {@code @Input} that some run needs, on that method. */
    void report(ValidationReport.Builder report) {
        needs.forEach((candidate, runs) -> {
            if (candidate.explained()) {
                return;
            }
            List<String> quoted = runs.stream().map(run -> "'" + run + "'").toList();
            String who = quoted.size() == 1 ? "run " + quoted.get(0) + " needs"
                    : "runs " + String.join(", ", quoted.subList(0, quoted.size() - 1)) + " and "
                            + quoted.get(quoted.size() - 1) + " need";
            report.error(Problem.of(Message.MISSING_INPUT, candidate.name(), TypeDisplay.name(candidate.type()), who),
                    Site.of(candidate.method()));
        });
    }
}
