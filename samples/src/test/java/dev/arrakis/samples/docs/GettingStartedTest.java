package dev.arrakis.samples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.runs.RunOutcome;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Keeps {@code docs/getting-started.md} honest: its pom names this build's version and artifacts in the places a
 * user's build needs them, its Gradle build the same, and its experiment compiles through the processor in a project
 * of its own (with the model the page copies in) and prints the numbers the page shows.
 */
class GettingStartedTest {
    private static final String PAGE = "docs/getting-started.md";
    private static final Path PROJECT = DocCodeBlocksTest.projectDir();

    private static List<CodeBlock> blocks(String language) {
        return CodeBlock.inProjectDocs(PROJECT).stream()
                .filter(block -> block.file().equals(PAGE) && block.language().equals(language)).toList();
    }

    private static String only(String language) {
        List<CodeBlock> found = blocks(language);
        assertEquals(1, found.size(), PAGE + " has " + found.size() + " " + language + " blocks");
        return String.join("\n", found.get(0).lines());
    }

    private static Document xml(String text) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document document, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, document,
                XPathConstants.NODESET);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent().strip());
        }
        return texts;
    }

    private static String projectVersion() throws Exception {
        return texts(xml(Files.readString(PROJECT.resolve("pom.xml"))), "/project/version").get(0);
    }

    @Test
    void thePomPutsTheProcessorOnTheProcessorPathAndTheRuntimeAmongTheDependenciesAtThisVersion() throws Exception {
        String version = projectVersion();
        Document pom = xml(only("xml"));
        assertEquals(List.of(version), texts(pom, "/project/properties/arrakis.version"),
                "the page's arrakis.version vs the build's " + version);
        List<String> dependencies = texts(pom, "/project/dependencies/dependency[groupId='dev.arrakis']/artifactId");
        assertEquals(List.of("arrakis-runtime"), dependencies, "dev.arrakis dependencies of the page's pom");
        List<String> processorPath = texts(pom, "/project/build/plugins/plugin[artifactId='maven-compiler-plugin']"
                + "/configuration/annotationProcessorPaths/path[groupId='dev.arrakis']/artifactId");
        assertEquals(List.of("arrakis-processor"), processorPath, "annotationProcessorPaths of the page's pom");
        assertEquals(List.of("${arrakis.version}", "${arrakis.version}"),
                texts(pom, "//*[artifactId='arrakis-runtime' or artifactId='arrakis-processor']/version"),
                "versions of the two artifacts");
        assertTrue(Files.isRegularFile(PROJECT.resolve("runtime/pom.xml")) && Files.readString(PROJECT.resolve(
                "runtime/pom.xml")).contains("<artifactId>arrakis-runtime</artifactId>") && Files.readString(
                PROJECT.resolve("processor/pom.xml")).contains("<artifactId>arrakis-processor</artifactId>"),
                "the modules publish arrakis-runtime and arrakis-processor");
    }

    @Test
    void theGradleBuildNamesTheSameArtifactsAndVersion() throws Exception {
        String gradle = only("kotlin");
        String version = projectVersion();
        assertTrue(gradle.contains("val arrakisVersion = \"" + version + "\"")
                        && gradle.contains("implementation(\"dev.arrakis:arrakis-runtime:$arrakisVersion\")")
                        && gradle.contains("annotationProcessor(\"dev.arrakis:arrakis-processor:$arrakisVersion\")"),
                "the Gradle build of " + PAGE + " with version " + version + ":\n" + gradle);
    }

    /** The first {@code ```text} block after the run command: the numbers the page says the run printed. */
    private static String printedRun() {
        return blocks("text").stream().map(block -> String.join("\n", block.lines()))
                .filter(text -> text.startsWith("FirstExperiment.loss")).findFirst()
                .orElseThrow(() -> new AssertionError(PAGE + " shows no output of FirstExperiment"));
    }

    @Test
    void theExperimentCompilesInAProjectOfItsOwnAndPrintsWhatThePageShows(@TempDir Path user) throws Exception {
        Path model = Files.createDirectories(user.resolve("model"));
        Files.copy(PROJECT.resolve("models/induction-2l/config.json"), model.resolve("config.json"));
        CodeBlock java = blocks("java").get(0);
        BlockCompiler.Compiled compiled = BlockCompiler.forTestClassPath(user).compile(JavaBlock.of(java),
                user.resolve("build"));
        assertTrue(compiled.clean(), "the page's experiment: " + String.join("\n", compiled.problems()));
        assertTrue(Files.isRegularFile(compiled.classes().resolve("org/example/ModelHooks.class")),
                "the hooks class the page names, ModelHooks, generated into " + compiled.classes());

        String printed = printedRun();
        Matcher loss = Pattern.compile("FirstExperiment.loss .*\n(\\S+)").matcher(printed);
        assertTrue(loss.find(), "the loss line in\n" + printed);
        Matcher heads = Pattern.compile("head=(\\d)  (\\S+)").matcher(printed);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {compiled.classes().toUri().toURL()},
                        getClass().getClassLoader());
                HookedTransformer induction = HookedTransformer.load(PROJECT.resolve("models/induction-2l"));
                ExperimentRunner runner = ExperimentRunner.open(ExperimentRegistry.load(loader)
                        .find("FirstExperiment"), RunnerOptions.defaults().withModel(induction))) {
            double ran = (Double) runner.run("loss", Map.of()).values().get(0);
            assertEquals(Double.parseDouble(loss.group(1)), ran, 5e-6, "loss: the page " + loss.group(1)
                    + " vs run " + ran);
            RunOutcome eachHead = runner.run("withoutEachHead", Map.of());
            int shown = 0;
            while (heads.find()) {
                double value = ((Number) eachHead.values().get(Integer.parseInt(heads.group(1)))).doubleValue();
                assertEquals(Double.parseDouble(heads.group(2)), value, 5e-6, "head " + heads.group(1)
                        + ": the page " + heads.group(2) + " vs run " + value);
                shown++;
            }
            assertEquals(eachHead.points(), shown, "heads the page shows vs points of the run");
        }
    }
}
