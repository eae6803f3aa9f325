package dev.arrakis.processor.emit;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import com.palantir.javapoet.ClassName;
import dev.arrakis.processor.model.ExperimentModel;
import dev.arrakis.processor.model.ModelSourceModel;
import dev.arrakis.spec.KnownModels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner emitter works from a plain model, with no compiler in sight. */
class RunnerEmitterTest {

    private static ExperimentModel model(String source) {
        return new ExperimentModel(ClassName.get("p", "Big"), "p.Big", "Big",
                new ModelSourceModel("gpt2", null, null, KnownModels.get("gpt2").config()), "00", source, List.of(),
                List.of());
    }

    @Test
    void sameModelSameText() {
        RunnerEmitter emitter = new RunnerEmitter("dev.arrakis.processor.ExperimentProcessor", true);
        assertEquals(emitter.emit(model("class Big {}")).toString(), emitter.emit(model("class Big {}")).toString());
    }

    @Test
    void sourceBeyondTheConstantPoolLimitStillCompiles() {
        // Three bytes per character in the class file: a single folded constant would be far over 65535 bytes.
        String line = "    // \u00e9t\u00e9 \u4e2d\u6587 \ud83d\ude00 " + "x".repeat(60) + "\n";
        String source = "class Big {\n" + line.repeat(4_000) + "}\n";
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes > 3 * 65_535, "the source has " + bytes + " bytes, not over three constants' worth");
        String runner = new RunnerEmitter("gen", false).emit(model(source)).toString();
        assertTrue(runner.contains("String.join(\"\","), () -> "the source is not joined from chunks:\n" + runner);

        Compilation compilation = Compiler.javac().withOptions("-proc:none").compile(
                JavaFileObjects.forSourceString("p.Big_Experiment", runner),
                JavaFileObjects.forSourceString("p.Big", "package p;\npublic class Big {}\n"));
        assertThat(compilation).succeeded();
    }

    @Test
    void chunksNeverSplitASurrogatePair() {
        String text = "a\ud83d\ude00".repeat(50);
        List<String> chunks = RunnerEmitter.chunks(text, 4);
        assertEquals(text, String.join("", chunks));
        for (String chunk : chunks) {
            assertFalse(Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)), chunk);
            assertTrue(chunk.length() <= 4, "chunk of " + chunk.length() + " chars: " + chunk);
        }
    }

    @Test
    void chunksEndAtLineEndsWhereTheyCan() {
        assertEquals(List.of("ab\n", "cd\n", "ef"), RunnerEmitter.chunks("ab\ncd\nef", 4));
    }
}
