package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Rule 1: the model an experiment names must exist, named once, and its config must be readable and valid. */
class ModelValidationTest {

    private static JavaFileObject withAnnotation(String annotation) {
        return Compilations.experiment("Probe", annotation + "\nclass Probe {\n}\n");
    }

    @Test
    void unknownModelSuggestsTheNearestName() {
        JavaFileObject source = withAnnotation("@Experiment(model = \"gtp2\")");
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining(
                        "[Experiment/UnknownModel] unknown model 'gtp2'; did you mean 'gpt2'? (known: gpt2, gpt2-medium")
                .inFile(source).onLineContaining("gtp2");
    }

    @Test
    void bothModelAndConfigIsAnErrorOnTheConfig() {
        JavaFileObject source = withAnnotation("@Experiment(model = \"gpt2\",\n        config = \"models/toy/config.json\")");
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/ModelSource] @Experiment needs exactly one of model")
                .inFile(source).onLineContaining("config = ");
    }

    @Test
    void neitherModelNorConfigIsAnError() {
        JavaFileObject source = withAnnotation("@Experiment(name = \"nameless\")");
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/ModelSource]")
                .inFile(source).onLineContaining("@Experiment(name");
    }

    @Test
    void configMissingFromTheProjectDirectory() {
        JavaFileObject source = withAnnotation("@Experiment(config = \"models/missing/config.json\")");
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining(
                        "[Experiment/ConfigNotFound] no model config 'models/missing/config.json' in the project directory")
                .inFile(source).onLineContaining("models/missing");
    }

    @Test
    void configThatNoDirectoryAboveTheSourceHolds() {
        JavaFileObject source = JavaFileObjects.forResource(
                ModelValidationTest.class.getClassLoader().getResource("project/src/nearby/Lost.java"));
        Compilation compilation = Compilations.compilerWithoutProjectDir().compile(source);
        assertThat(compilation).hadErrorContaining(
                        "[Experiment/ConfigNotFound] no model config 'models/elsewhere/config.json' beside ")
                .inFile(source).onLineContaining("models/elsewhere");
    }

    @Test
    void configFoundInADirectoryAboveTheSource() {
        JavaFileObject source = JavaFileObjects.forResource(
                ModelValidationTest.class.getClassLoader().getResource("project/src/nearby/Nearby.java"));
        Compilation compilation = Compilations.compilerWithoutProjectDir().compile(source);
        assertThat(compilation).succeeded();
        String projectDir = Compilations.projectDir().toAbsolutePath().normalize().toString();
        assertThat(compilation).generatedSourceFile("nearby.Nearby_Experiment").contentsAsUtf8String()
                .contains("ModelSource.config(\"models/toy/config.json\", " + javaLiteral(projectDir) + ")");
        assertThat(compilation).generatedSourceFile("nearby.ToyHooks").contentsAsUtf8String()
                .contains("public static final int LAYERS = 2;");
    }

    /**
     * The runner records the directory the build found the config under, so that a run started from any directory
     * loads the model the build checked.
     */
    @Test
    void theRunnerRecordsTheProjectDirectoryOption() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(config = "models/toy/config.json")
                class Probe {
                    @Input
                    TokenBatch prompts() {
                        return TokenBatch.of(new long[] {1, 2});
                    }

                    @Run
                    int layers(ModelConfig config) {
                        return config.layers();
                    }
                }
                """);
        Compilation compilation = Compilations.compile(source);
        assertThat(compilation).succeeded();
        String projectDir = Compilations.projectDir().toAbsolutePath().normalize().toString();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String()
                .contains("ModelSource.config(\"models/toy/config.json\", " + javaLiteral(projectDir) + ")");
    }

    /** A path as the emitter writes it in a string literal (a Windows path's backslashes are escaped). */
    private static String javaLiteral(String text) {
        return "\"" + text.replace("\\", "\\\\") + "\"";
    }

    @Test
    void invalidConfigReportsTheReadersMessage() {
        JavaFileObject source = withAnnotation("@Experiment(config = \"models/broken/config.json\")");
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/InvalidConfig] model config models/broken/config.json:"
                        + " n_embd (64) is not divisible by n_head (5)")
                .inFile(source).onLineContaining("models/broken");
    }

    @Test
    void configThatIsNotJson() {
        JavaFileObject source = withAnnotation("@Experiment(config = \"models/notjson/config.json\")");
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining(
                        "[Experiment/InvalidConfig] model config models/notjson/config.json is not valid JSON")
                .inFile(source).onLineContaining("models/notjson");
    }

    @Test
    void twoModelsWhoseHooksClassesWouldShareAName() {
        JavaFileObject first = Compilations.experiment("First", """
                @Experiment(config = "models/toy/config.json")
                class First {}
                """);
        JavaFileObject second = Compilations.experiment("Second", """
                @Experiment(config = "variants/toy/config.json")
                class Second {}
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(first, second);
        assertThat(compilation).hadErrorContaining("[Experiment/HooksClash] hooks class test.ToyHooks would describe"
                        + " both models/toy/config.json and variants/toy/config.json")
                .inFile(second).onLineContaining("variants/toy");
    }
}
