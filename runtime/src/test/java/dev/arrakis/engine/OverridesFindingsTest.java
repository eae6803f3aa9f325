package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Selection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Override values that asked for billions of indices. The timeout only stops a failing run: before the fix
 * {@code range(0,2147483647)} boxed two billion integers.
 */
class OverridesFindingsTest {
    private static final List<Intervention> ONE_ABLATION = List.of(new Intervention.Ablation("attn.hook_z",
            Selection.of(1), Selection.of(0), Selection.none(), Selection.none(), AblationMethod.ZERO));

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRangeOfTwoBillionIndicesIsOneProblemNotTwoBillionPoints() {
        Overrides.Applied applied = Overrides.apply("effect", ONE_ABLATION, Map.of("head", "range(0,2147483647)"));
        assertEquals(1, applied.problems().size(), applied.problems().toString());
        String problem = applied.problems().get(0);
        assertTrue(problem.startsWith("[Experiment/Override] 'head=range(0,2147483647)'")
                && problem.contains("2147483647 indices") && problem.contains("1048576"), problem);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDescendingRangeOverTheWholeIntRangeIsRefusedToo() {
        Overrides.Applied applied = Overrides.apply("effect", ONE_ABLATION,
                Map.of("layer", "range(2147483647,-2147483648,-1)"));
        assertEquals(1, applied.problems().size(), applied.problems().toString());
        assertTrue(applied.problems().get(0).contains("4294967295 indices"), applied.problems().get(0));
    }

    @Test
    void theLargestRangeAllowedStillSweeps() {
        Overrides.Applied applied = Overrides.apply("effect", ONE_ABLATION, Map.of("head", "range(0,1048576,2)"));
        assertEquals(List.of(), applied.problems());
        List<Integer> heads = ((Intervention.Ablation) applied.interventions().get(0)).heads().values();
        assertEquals(524288, heads.size(), "indices of range(0,1048576,2)");
        assertEquals(1048574, heads.get(heads.size() - 1), "last index of range(0,1048576,2)");
    }
}
