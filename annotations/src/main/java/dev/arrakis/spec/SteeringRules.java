package dev.arrakis.spec;

import dev.arrakis.util.DidYouMean;
import java.util.List;
import java.util.Optional;

/**
 * The checks of a steering request against the model's shape, shared by the annotation processor ({@code @Steer}),
 * command-line overrides and the runtime's {@code Steering}: the layer exists, the hook is a residual-stream point of
 * the block that this architecture has, the coefficient is finite, the positions fit the context.
 */
public final class SteeringRules {
    /** Where steering adds unless told otherwise: the residual stream entering the block (Turner et al.). */
    public static final String DEFAULT_HOOK = "hook_resid_pre";

    /** The block-relative residual points steering may add at. */
    public static final List<String> RESIDUAL_HOOKS = List.of("hook_resid_pre", "hook_resid_mid", "hook_resid_post");

    private SteeringRules() {}

    public static Optional<AttributeProblem> check(ShapeChecks shape, int layer, String hook, double coefficient,
            int[] positions) {
        Optional<Problem> problem = shape.layer(layer);
        if (problem.isPresent()) {
            return Optional.of(new AttributeProblem(problem.get(), "layer", -1));
        }
        if (!RESIDUAL_HOOKS.contains(hook)) {
            return Optional.of(new AttributeProblem(Problem.of(Message.STEER_HOOK, hook,
                    String.join(", ", RESIDUAL_HOOKS), DidYouMean.hint(hook, RESIDUAL_HOOKS)), "hook", -1));
        }
        problem = shape.hook("blocks." + layer + "." + hook);
        if (problem.isPresent()) {
            return Optional.of(new AttributeProblem(problem.get(), "hook", -1));
        }
        if (!Double.isFinite(coefficient)) {
            return Optional.of(new AttributeProblem(Problem.of(Message.STEER_COEFFICIENT, coefficient),
                    "coefficient", -1));
        }
        for (int i = 0; i < positions.length; i++) {
            problem = shape.position(positions[i]);
            if (problem.isPresent()) {
                return Optional.of(new AttributeProblem(problem.get(), "positions", i));
            }
        }
        return Optional.empty();
    }

    /**
     * What {@code @Steer} adds to the shared intervention rules (which check its layers, positions and that its hook
     * exists): the hook is a residual-stream point and the coefficient a finite number.
     *
     * @param resolved the hook as the shared rules resolved it, or null when they could not
     */
    public static Optional<Problem> checkIntervention(Intervention.Steering steering,
            InterventionRules.ResolvedHook resolved) {
        String name = resolved != null ? resolved.point().blockRelativeName()
                : steering.hook().replaceFirst("^blocks\\.\\d+\\.", "");
        if (resolved != null && resolved.point().layer() < 0 || !RESIDUAL_HOOKS.contains(name)) {
            return Optional.of(Problem.of(Message.STEER_HOOK, steering.hook(), String.join(", ", RESIDUAL_HOOKS),
                    DidYouMean.hint(steering.hook(), RESIDUAL_HOOKS)));
        }
        for (double coefficient : steering.coefficients()) {
            if (!Double.isFinite(coefficient)) {
                return Optional.of(Problem.of(Message.STEER_COEFFICIENT, coefficient));
            }
        }
        return Optional.empty();
    }
}
