package dev.arrakis.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(3, DidYouMean.editDistance("kitten", "sitting"));
        assertEquals(0, DidYouMean.editDistance("", ""));
        assertEquals(4, DidYouMean.editDistance("", "wte."));
        assertEquals(1, DidYouMean.editDistance("ln_f", "ln_f."));
    }

    @Test
    void nearestSuggestsOnlyNamesWithinAThirdOfTheLength() {
        List<String> names = List.of("blocks.0.hook_resid_pre", "blocks.0.hook_resid_post", "hook_embed");
        assertEquals(List.of("blocks.0.hook_resid_post", "blocks.0.hook_resid_pre"),
                DidYouMean.nearest("blocks.0.hook_resid_psot", names, 3));
        assertEquals(List.of(), DidYouMean.nearest("logits", names, 3));
        assertEquals("; did you mean 'hook_embed'?", DidYouMean.hint("hook_embd", names));
        assertEquals("", DidYouMean.hint("logits", names));
    }

    @Test
    void theFamilyANameBelongsToComesBeforeASiblingThatIsFewerEditsAway() {
        List<String> models = List.of("gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "pythia-70m");
        assertEquals(3, DidYouMean.editDistance("gpt2-smal", "gpt2-xl"), "the sibling is within reach by edits");
        assertEquals("; did you mean 'gpt2'?", DidYouMean.hint("gpt2-smal", models));
        assertEquals("; did you mean 'gpt2-small'?", DidYouMean.hint("gpt2-smal",
                List.of("gpt2", "gpt2-small", "gpt2-xl")), "an unfinished name before its family's base");
        assertEquals("; did you mean 'pythia-70m'?", DidYouMean.hint("Pythia-70M", models), "case alone");
        assertEquals("; did you mean 'pythia-70m'?", DidYouMean.hint("pythia-7m", List.of("pythia", "pythia-70m")),
                "a one-character slip before the family's base");
        assertEquals("; did you mean 'HeadAblation'?", DidYouMean.hint("HeadAblaton",
                List.of("HeadAblation", "HeadAblation.eachHead", "Other.effect")));
    }

    @Test
    void closestAlwaysSuggestsTheNearestFew() {
        List<String> names = List.of("wte.weight", "ln_f.bias", "h.0.attn.c_attn.weight");
        assertEquals(List.of("wte.weight", "ln_f.bias"), DidYouMean.closest("ln_f.weight", names, 2));
    }
}
