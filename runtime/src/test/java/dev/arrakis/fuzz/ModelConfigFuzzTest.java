package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.model.ModelFamilies;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.ModelDescription;
import dev.arrakis.spec.Rotary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as a checkpoint's {@code config.json}, through everything that happens before a weight is read: the
 * JSON, every family's keys ({@link ConfigShapes}), and the family's weight rules, which walk every layer. A config
 * is untrusted, so claims such as 10^9 layers must be refused before anything per layer is built.
 */
class ModelConfigFuzzTest {
    /**
     * The checkpoint bounds a head's width before the rotary tables are built (its query weights must match it);
     * without a checkpoint the target stops at widths a real head could have.
     */
    private static final int WIDEST_HEAD_CHECKED = 4096;

    @TempDir
    Path directory;

    @FuzzTest(maxDuration = "30s")
    void anyBytesDescribeAModelOrAreRefused(byte[] bytes) throws IOException {
        Path file = Files.write(directory.resolve(CheckpointFiles.CONFIG_FILE), bytes);
        UntrustedInput.refusalOf(() -> {
            ModelDescription description = ConfigShapes.describe(CheckpointFiles.readConfigFile(file));
            ModelFamilies.forConfig(description.config()).weightRules(description.config(), Set.of());
            Rotary rotary = description.numerics().rotary();
            if (rotary != null && description.config().dHead() <= WIDEST_HEAD_CHECKED) {
                requireFinite(rotary, rotary.frequencies(1));
                requireFinite(rotary, rotary.frequencies(description.config().contextLength()));
            }
        });
    }

    /** An accepted config must give numbers a forward pass can use: NaN or infinite angles are silent garbage. */
    private static void requireFinite(Rotary rotary, Rotary.Frequencies frequencies) {
        boolean finite = Double.isFinite(frequencies.attentionFactor())
                && Arrays.stream(frequencies.inverseFrequencies()).allMatch(Double::isFinite);
        assertTrue(finite, "accepted " + rotary + " gives inverse frequencies "
                + Arrays.toString(frequencies.inverseFrequencies()) + " and attention factor "
                + frequencies.attentionFactor());
    }
}
