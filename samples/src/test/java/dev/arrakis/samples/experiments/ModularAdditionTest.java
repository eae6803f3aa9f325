package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The modular-addition sample on the committed model: its accuracy against an argmax written out over a plain forward
 * pass, and its Fourier norms against a complex DFT of the embedding read straight from {@code model.safetensors}.
 */
class ModularAdditionTest {
    private static final Path MODEL = Path.of("../models/modadd-1l");
    private static final int P = 59;
    private static HookedTransformer model;
    private static ExperimentRunner runner;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(MODEL);
        runner = ExperimentRunner.open(ExperimentRegistry.load(ModularAdditionTest.class.getClassLoader())
                .find("ModularAddition"), RunnerOptions.defaults().withModel(model));
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    @Test
    void theHeldOutAccuracyIsTheArgmaxOfAPlainForwardPass() {
        RunOutcome outcome = runner.run("testAccuracy", Map.of());
        double reported = ((Number) outcome.values().get(0)).doubleValue();
        TokenBatch heldOut = new ModularAddition().heldOut();
        int correct = 0;
        try (ForwardResult pass = model.forward(heldOut)) {
            float[] logits = pass.logits().toFloatArray();
            int vocab = P + 1;
            for (int row = 0; row < heldOut.batchSize(); row++) {
                int at = (row * 3 + 2) * vocab;
                int best = 0;
                for (int token = 0; token < vocab; token++) {
                    best = logits[at + token] > logits[at + best] ? token : best;
                }
                correct += best == (heldOut.token(row, 0) + heldOut.token(row, 1)) % P ? 1 : 0;
            }
        }
        double byHand = (double) correct / heldOut.batchSize();
        assertEquals(2089, heldOut.batchSize(), "held-out pairs");
        assertEquals(byHand, reported, 0, "accuracy: sample " + reported + ", argmax written out " + byHand);
        assertTrue(reported >= 0.99, "held-out accuracy " + reported);
    }

    @Test
    void theFourierNormsAreTheEmbeddingsDft() {
        double[] reported = ((ArrayValue) runner.run("embeddingFrequencies", Map.of()).values().get(0)).values();
        double[] byDft = dftNorms();
        assertEquals(P / 2 + 1, reported.length, "frequencies 0..29: " + Arrays.toString(reported));
        for (int k = 0; k < byDft.length; k++) {
            assertEquals(byDft[k], reported[k], 1e-4 * (1 + byDft[k]), "frequency " + k + ": DFT "
                    + Arrays.toString(byDft) + ", sample " + Arrays.toString(reported));
        }
    }

    @Test
    void theVerdictNamesTheStrongestFrequencyOfTheDft() {
        double[] byDft = dftNorms();
        int strongest = 1;
        double total = 0;
        for (int k = 0; k < byDft.length; k++) {
            total += byDft[k] * byDft[k];
            if (k > 0 && byDft[k] > byDft[strongest]) {
                strongest = k;
            }
        }
        String verdict = (String) runner.run("verdict", Map.of()).values().get(0);
        String expected = String.format(java.util.Locale.ROOT, "k=%d %.1f%%", strongest,
                100 * byDft[strongest] * byDft[strongest] / total);
        assertTrue(verdict.contains("key frequencies of the embedding (share of its squared norm >= 5%): " + expected),
                "strongest by the DFT: " + expected + "; verdict: " + verdict);
    }

    /**
     * For each frequency k, sqrt(sum over the columns of c_k |X_k|^2 / p), X_k = sum_x W_E[x] e^(-2 pi i k x / p) over
     * the numbers' rows of transformer.wte.weight, with c_0 = 1 and c_k = 2 otherwise (k and p - k carry the same
     * energy; p is odd).
     */
    private static double[] dftNorms() {
        float[] embedding;
        int dModel = model.config().dModel();
        try (SafetensorsFile file = SafetensorsFile.open(MODEL.resolve("model.safetensors"))) {
            embedding = file.readFloats("transformer.wte.weight");
        }
        double[] norms = new double[P / 2 + 1];
        for (int k = 0; k < norms.length; k++) {
            double energy = 0;
            for (int column = 0; column < dModel; column++) {
                double real = 0;
                double imaginary = 0;
                for (int x = 0; x < P; x++) {
                    double value = embedding[x * dModel + column];
                    real += value * Math.cos(2 * Math.PI * k * x / P);
                    imaginary -= value * Math.sin(2 * Math.PI * k * x / P);
                }
                energy += (k == 0 ? 1 : 2) * (real * real + imaginary * imaginary) / P;
            }
            norms[k] = Math.sqrt(energy);
        }
        return norms;
    }
}
