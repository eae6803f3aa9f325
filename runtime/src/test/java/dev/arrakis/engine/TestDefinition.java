package dev.arrakis.engine;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A hand-written {@link ExperimentDefinition}, standing in for what the annotation processor generates, on the tiny
 * committed GPT-2 (2 layers, 4 heads, d_model 64, d_mlp 256, vocabulary 384, context 32).
 */
final class TestDefinition implements ExperimentDefinition<Object> {
    /** The tiny checkpoint, relative to the runtime module (Maven's working directory for tests). */
    static final String CONFIG_PATH = "src/test/resources/reference/gpt2-prefixed/config.json";
    static final Path CHECKPOINT = Path.of("src/test/resources/reference/gpt2-prefixed").toAbsolutePath();
    static final ModelConfig TINY = ConfigShapes.parse(CheckpointFiles.readConfig(CHECKPOINT));

    private final String name;
    private ModelSource model = ModelSource.config(CONFIG_PATH);
    private ModelConfig shape = TINY;
    private String experimentClass;
    private final List<InputDefinition<Object, ?>> inputs = new ArrayList<>();
    private final List<RunDefinition<Object>> runs = new ArrayList<>();
    private Supplier<Object> factory = Object::new;

    TestDefinition(String name) {
        this.name = name;
        this.experimentClass = "test." + name;
    }

    static TestDefinition named(String name) {
        return new TestDefinition(name);
    }

    TestDefinition model(ModelSource source, ModelConfig modelShape) {
        this.model = source;
        this.shape = modelShape;
        return this;
    }

    TestDefinition experimentClass(String className) {
        this.experimentClass = className;
        return this;
    }

    /** An input that returns this value on every call. */
    TestDefinition input(String inputName, Object value) {
        inputs.add(new InputDefinition<Object, Object>(inputName, value.getClass().getCanonicalName(), (experiment, m) -> value));
        return this;
    }

    TestDefinition input(InputDefinition<Object, ?> input) {
        inputs.add(input);
        return this;
    }

    TestDefinition run(RunDefinition<Object> run) {
        runs.add(run);
        return this;
    }

    TestDefinition factory(Supplier<Object> instances) {
        this.factory = instances;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String experimentClass() {
        return experimentClass;
    }

    @Override
    public ModelSource model() {
        return model;
    }

    @Override
    public ModelConfig shape() {
        return shape;
    }

    @Override
    public String fingerprint() {
        return "f".repeat(64);
    }

    @Override
    public String source() {
        return "class " + name + " {}";
    }

    @Override
    public List<InputDefinition<Object, ?>> inputs() {
        return List.copyOf(inputs);
    }

    @Override
    public List<RunDefinition<Object>> runs() {
        return List.copyOf(runs);
    }

    @Override
    public Object newInstance() {
        return factory.get();
    }
}
