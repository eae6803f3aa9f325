package dev.arrakis.engine;

import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.InterventionRules.ResolvedHook;
import java.util.List;
import java.util.Map;

/**
 * A run after its overrides were applied and everything that can be checked without the model was: the
 * interventions as they will run, each one's hook, and the input the model runs on.
 *
 * @param reference the experiment and the run as declared
 * @param hooks one per intervention, in the same order
 * @param overrides as given
 * @param <E> the experiment class
 */
record ValidatedRun<E>(
        RunReference<E> reference,
        List<Intervention> interventions,
        List<ResolvedHook> hooks,
        List<String> labels,
        String modelInput,
        Map<String, String> overrides) {

    RunDefinition<E> definition() {
        return reference.run();
    }
}
