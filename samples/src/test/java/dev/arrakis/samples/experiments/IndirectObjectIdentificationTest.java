package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.io.hub.ModelNotFoundException;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.TokenizationException;
import dev.arrakis.model.Tokenizer.Bos;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.samples.experiments.ioi.IoiOnGpt2Tiny;
import dev.arrakis.train.ToyModels;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IOI sample's code path without GPT-2's weights: its runs, declared the same way in {@link IoiOnGpt2Tiny}, on
 * the committed GPT-2-shaped checkpoint, against a hooked computation written out here that runs the prompts unpadded
 * (those of one length together), and zeroes a head's {@code z} with a hook of its own. The sample itself is checked for what can be
 * checked without the weights: built for GPT-2 small's shape with the same runs, and stopping with the way to get
 * the model when it is not there.
 */
class IndirectObjectIdentificationTest {
    private static final double TOLERANCE = 1e-4;

    private static HookedTransformer model;
    private static ExperimentRegistry registry;
    private static ExperimentRunner runner;
    private static IoiPrompts prompts;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/gpt2-tiny"));
        registry = ExperimentRegistry.load(IndirectObjectIdentificationTest.class.getClassLoader());
        runner = ExperimentRunner.open(registry.find("IoiOnGpt2Tiny"), RunnerOptions.defaults().withModel(model));
        prompts = IoiPrompts.of(model, IoiOnGpt2Tiny.WORDS, IoiOnGpt2Tiny.PROMPTS, 0);
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    /**
     * Mean of logit(IO) − logit(S) at each prompt's last token, with the given hooks, the prompts run without padding:
     * those of one length together, as a batch of their own.
     */
    private static double byHand(UnaryOperator<RunOptions> hooks) {
        Map<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < prompts.prompts().size(); i++) {
            byLength.computeIfAbsent(prompts.prompts().get(i).length, length -> new ArrayList<>()).add(i);
        }
        double sum = 0;
        for (Map.Entry<Integer, List<Integer>> group : byLength.entrySet()) {
            List<Integer> members = group.getValue();
            long[][] rows = members.stream().map(prompts.prompts()::get).toArray(long[][]::new);
            int last = group.getKey() - 1;
            try (ForwardResult pass = model.run(TokenBatch.of(rows), hooks.apply(RunOptions.none()))) {
                for (int row = 0; row < rows.length; row++) {
                    int prompt = members.get(row);
                    sum += pass.logits().getFloat(row, last, prompts.indirectObject()[prompt])
                            - pass.logits().getFloat(row, last, prompts.subject()[prompt]);
                }
            }
        }
        return sum / prompts.prompts().size();
    }

    private static UnaryOperator<RunOptions> zeroing(int layer, int... heads) {
        return options -> options.withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(heads));
    }

    @Test
    void promptsAreTheTemplatesInAbbaThenBabaFormEndingBeforeTheIndirectObject() {
        List<String> texts = prompts.texts();
        int templates = IoiOnGpt2Tiny.WORDS.babaTemplates().size();
        for (int i = 0; i < texts.size(); i++) {
            String io = model.tokenizer().orElseThrow().decode(new long[] {prompts.indirectObject()[i]}).strip();
            String s = model.tokenizer().orElseThrow().decode(new long[] {prompts.subject()[i]}).strip();
            String template = IoiOnGpt2Tiny.WORDS.babaTemplates().get(i % templates);
            boolean abba = (i / templates) % 2 == 0;
            String firstTwo = abba ? io + " and " + s : s + " and " + io;
            assertTrue(!io.equals(s) && texts.get(i).contains(firstTwo) && texts.get(i).endsWith(" to")
                    && texts.get(i).split(" " + s + "\\b", -1).length == 3
                    && texts.get(i).startsWith(template.substring(0, template.indexOf('['))),
                    "prompt " + i + " (" + (abba ? "ABBA" : "BABA") + " of '" + template + "'), IO " + io + ", S " + s
                            + ": " + texts.get(i));
            long[] expected = model.tokenizer().orElseThrow().encode(texts.get(i), Bos.PREPEND);
            assertEquals(List.of(expected.length, expected[0]), List.of(prompts.prompts().get(i).length,
                    prompts.prompts().get(i)[0]), "prompt " + i + " tokens, BOS first: " + texts.get(i));
        }
    }

    @Test
    void theLogitDifferenceIsThePromptsRunUnpadded() {
        double sample = (Double) runner.run("logitDifference", Map.of()).values().get(0);
        double expected = byHand(UnaryOperator.identity());
        assertEquals(expected, sample, TOLERANCE, "logit(IO) - logit(S): padded batch " + sample
                + " vs unpadded " + expected);
    }

    @Test
    void eachHeadsAblationIsItsZIsZeroedByAHookOfItsOwn() {
        RunOutcome outcome = runner.run("eachHeadZeroAblated", Map.of());
        int heads = model.config().heads();
        assertEquals(model.config().layers() * heads, outcome.points(), "layer x head points");
        for (int point = 0; point < outcome.points(); point++) {
            double sample = ((Number) outcome.values().get(point)).doubleValue();
            double expected = byHand(zeroing(point / heads, point % heads));
            assertEquals(expected, sample, TOLERANCE, "L" + point / heads + "H" + point % heads + " zero-ablated: "
                    + "sample " + sample + " vs by hand " + expected);
        }
    }

    @Test
    void theNameMoversAreAblatedTogether() {
        double sample = (Double) runner.run("nameMoversZeroAblated", Map.of()).values().get(0);
        double expected = byHand(options -> zeroing(0, 3).apply(zeroing(1, 0, 2).apply(options)));
        double clean = byHand(UnaryOperator.identity());
        assertEquals(expected, sample, TOLERANCE, "L1H0, L1H2 and L0H3 zero-ablated: sample " + sample
                + " vs by hand " + expected + " (clean " + clean + ")");
    }

    /** The twin runs what the sample declares: same runs, and the sample is built for GPT-2 small. */
    @Test
    void theSampleIsBuiltForGpt2SmallWithTheTwinsRuns() {
        ExperimentDefinition<?> sample = registry.find("IndirectObjectIdentification");
        List<String> sampleRuns = sample.runs().stream().map(RunDefinition::name).toList();
        List<String> twinRuns = registry.find("IoiOnGpt2Tiny").runs().stream().map(RunDefinition::name).toList();
        assertEquals(twinRuns, sampleRuns, "runs of the sample vs its twin on gpt2-tiny");
        assertEquals(List.of(12, 12, 768, 50257), List.of(sample.shape().layers(), sample.shape().heads(),
                sample.shape().dModel(), sample.shape().vocabSize()), "the sample's shape: layers, heads, d_model, vocab");
    }

    @Test
    void withoutGpt2TheSampleSaysHowToGetIt(@TempDir Path emptyCache) throws Exception {
        HubSettings offline = new HubSettings(Files.createDirectories(emptyCache.resolve("hub")),
                URI.create("http://127.0.0.1:9"), Optional.empty(), true, Duration.ofSeconds(1));
        try (ExperimentRunner withoutWeights = ExperimentRunner.open(registry.find("IndirectObjectIdentification"),
                RunnerOptions.defaults().withHub(offline))) {
            String message = assertThrows(ModelNotFoundException.class,
                    () -> withoutWeights.run("logitDifference", Map.of())).getMessage();
            assertTrue(message.contains("huggingface-cli download gpt2") && message.contains("HF_HUB_CACHE"),
                    "how to get gpt2, in:\n" + message);
        }
    }

    @Test
    void aNameThatIsNotOneTokenIsRefusedByName() {
        TokenizationException refused = assertThrows(TokenizationException.class,
                () -> IoiPrompts.of(model, new IoiPrompts.Dataset(IoiOnGpt2Tiny.WORDS.babaTemplates(),
                        List.of("river", "Mary"), List.of("town"), List.of("stone")), 2, 0));
        assertTrue(refused.getMessage().contains("Mary"), "names the text: " + refused.getMessage());
    }

    @Test
    void aModelWithoutATokenizerIsRefusedSayingSo() {
        try (HookedTransformer untokenized = ToyModels.create(model.config(), 1)) {
            TokenizationException refused = assertThrows(TokenizationException.class,
                    () -> IoiPrompts.of(untokenized, IoiOnGpt2Tiny.WORDS, 2, 0));
            assertTrue(refused.getMessage().contains("no tokenizer.json"), "says why: " + refused.getMessage());
        }
    }
}
