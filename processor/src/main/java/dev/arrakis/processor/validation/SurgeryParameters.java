package dev.arrakis.processor.validation;

import com.palantir.javapoet.TypeName;
import dev.arrakis.processor.model.ArgumentModel;
import dev.arrakis.processor.model.ArgumentModel.ToolArgument;
import dev.arrakis.spec.AttributeProblem;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.ShapeChecks;
import dev.arrakis.spec.SurgeryRules;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code @Edit} and {@code @BlendHeads} parameters: the edit is checked against the model's layers and heads with the
 * rules the runtime's {@code ModelSurgery} applies, on the annotation value at fault, and bound to the
 * {@code ToolBindings} factory of that edit ({@code deleteLayers}, {@code permuteLayers}, {@code duplicateLayer},
 * {@code blendHeads}). A view reads no hook point of the run.
 */
final class SurgeryParameters {
    private static final List<String> LAYER_EDITS = List.of("deleteLayers", "permuteLayers", "duplicateLayer");

    private SurgeryParameters() {}

    static Optional<ArgumentModel.Tool> edit(AnnotationSite site, TypeName given, Optional<ShapeChecks> checks,
            ValidationReport.Builder report) {
        List<String> written = LAYER_EDITS.stream().filter(site::isExplicit).toList();
        if (written.size() != 1) {
            String has = written.isEmpty() ? "has none" : "has " + String.join(" and ", written);
            report.error(Problem.of(Message.EDIT_KIND, has),
                    written.isEmpty() ? site.whole() : site.attribute(written.get(1)));
            return Optional.empty();
        }
        int[] deleted = ints(site, "deleteLayers");
        int[] order = ints(site, "permuteLayers");
        int duplicated = site.integer("duplicateLayer");
        if (checks.isPresent()) {
            ShapeChecks shape = checks.get();
            Optional<AttributeProblem> problem = switch (written.get(0)) {
                case "deleteLayers" -> SurgeryRules.deleteLayers(shape, deleted);
                case "permuteLayers" -> SurgeryRules.permuteLayers(shape, order);
                default -> SurgeryRules.duplicateLayer(shape, duplicated);
            };
            if (report(site, problem, report)) {
                return Optional.empty();
            }
        }
        // one binding factory per kind of edit, named after the attribute: ToolBindings.deleteLayers(...)
        ToolArgument argument = switch (written.get(0)) {
            case "deleteLayers" -> intArray(deleted);
            case "permuteLayers" -> intArray(order);
            default -> new ToolArgument.Literal(duplicated);
        };
        return Optional.of(new ArgumentModel.Tool(written.get(0), given, List.of(argument), List.of()));
    }

    static Optional<ArgumentModel.Tool> blendHeads(AnnotationSite site, TypeName given,
            Optional<ShapeChecks> checks, ValidationReport.Builder report) {
        int layer = site.integer("layer");
        int head = site.integer("head");
        int into = site.integer("into");
        double alpha = site.decimal("alpha");
        if (checks.isPresent()
                && report(site, SurgeryRules.blendHeads(checks.get(), layer, head, into, alpha), report)) {
            return Optional.empty();
        }
        if (checks.isEmpty() && !(alpha >= 0 && alpha <= 1)) {
            report.error(Problem.of(Message.BLEND_ALPHA, alpha), site.attribute("alpha"));
            return Optional.empty();
        }
        return Optional.of(new ArgumentModel.Tool("blendHeads", given, List.of(new ToolArgument.Literal(layer),
                new ToolArgument.Literal(head), new ToolArgument.Literal(into),
                new ToolArgument.Literal(Double.toString(alpha))), List.of()));
    }

    /** Reports the problem on the value it is about; true when there was one. */
    static boolean report(AnnotationSite site, Optional<AttributeProblem> problem, ValidationReport.Builder report) {
        if (problem.isEmpty()) {
            return false;
        }
        AttributeProblem found = problem.get();
        report.error(found.problem(), found.index() < 0 ? site.attribute(found.attribute())
                : site.arrayElement(found.attribute(), found.index()));
        return true;
    }

    private static int[] ints(AnnotationSite site, String name) {
        return site.ints(name).stream().mapToInt(Integer::intValue).toArray();
    }

    private static ToolArgument intArray(int[] values) {
        return new ToolArgument.Literal("new int[] {" + java.util.Arrays.stream(values).mapToObj(String::valueOf)
                .collect(Collectors.joining(", ")) + "}");
    }
}
