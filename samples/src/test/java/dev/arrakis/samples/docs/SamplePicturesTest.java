package dev.arrakis.samples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.experiment.RunDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs' pictures have a maker: each picture the list {@code docs/images/pictures.list} names comes from a sample
 * run that draws a plot, is in {@code docs/images} and is shown by a doc; every other picture there is written by one
 * of the two programs {@code tools/docs-pictures} also runs. Nothing is drawn here: the list and the files are read.
 */
class SamplePicturesTest {
    private static final Path PROJECT = DocCodeBlocksTest.projectDir();
    private static final Path LIST = PROJECT.resolve("docs/images/pictures.list");
    private static final List<Path> OTHER_MAKERS = List.of(
            PROJECT.resolve("runtime/src/test/java/dev/arrakis/plot/DocsPictures.java"),
            PROJECT.resolve("runtime/src/test/java/dev/arrakis/tools/features/ExamplesPagePicture.java"),
            PROJECT.resolve("samples/src/main/java/dev/arrakis/samples/experiments/AttributionVsActivationPatching.java"));

    private static String docs() throws IOException {
        StringBuilder text = new StringBuilder(Files.readString(PROJECT.resolve("README.md")));
        try (Stream<Path> pages = Files.walk(PROJECT.resolve("docs"))) {
            for (Path page : pages.filter(path -> path.toString().endsWith(".md")).toList()) {
                text.append(Files.readString(page));
            }
        }
        return text.toString();
    }

    @Test
    void everyListedPictureComesFromASampleRunThatDrawsAndIsShownByADoc() throws IOException {
        List<SamplePictures.Picture> pictures = SamplePictures.read(LIST);
        assertTrue(!pictures.isEmpty(), LIST + " lists no picture");
        ExperimentRegistry registry = ExperimentRegistry.load(getClass().getClassLoader());
        String docs = docs();
        for (SamplePictures.Picture picture : pictures) {
            RunDefinition<?> run = registry.find(picture.experiment()).runs().stream()
                    .filter(candidate -> candidate.name().equals(picture.run())).findFirst()
                    .orElseThrow(() -> new AssertionError(picture + ": no run " + picture.run()));
            assertTrue(run.plot() != null, picture + ": " + picture.experiment() + "." + picture.run()
                    + " has no @Plot");
            assertTrue(Files.isRegularFile(PROJECT.resolve("docs/images").resolve(picture.file())),
                    picture + ": docs/images/" + picture.file() + " is missing; run tools/docs-pictures");
            assertTrue(docs.contains("images/" + picture.file() + ")"), picture + ": no doc shows images/"
                    + picture.file());
        }
    }

    @Test
    void everyOtherPictureInDocsImagesIsWrittenByAProgramTheCommandRuns() throws IOException {
        List<String> listed = SamplePictures.read(LIST).stream().map(SamplePictures.Picture::file).toList();
        StringBuilder makers = new StringBuilder();
        for (Path maker : OTHER_MAKERS) {
            makers.append(Files.readString(maker));
        }
        String command = Files.readString(PROJECT.resolve("tools/docs-pictures"));
        List<String> orphans = new ArrayList<>();
        try (Stream<Path> images = Files.list(PROJECT.resolve("docs/images"))) {
            for (Path image : images.filter(path -> path.toString().endsWith(".png")).sorted().toList()) {
                String file = image.getFileName().toString();
                String base = file.substring(0, file.length() - ".png".length());
                boolean made = listed.contains(file) || makers.indexOf('"' + base + '"') >= 0
                        || makers.indexOf('"' + file + '"') >= 0;
                if (!made) {
                    orphans.add(file);
                }
            }
        }
        assertEquals(List.of(), orphans, "pictures in docs/images that neither " + LIST.getFileName()
                + " nor " + OTHER_MAKERS + " make");
        for (Path maker : OTHER_MAKERS) {
            String path = PROJECT.relativize(maker).toString().replace('\\', '/');
            String className = path.substring(path.indexOf("/java/") + "/java/".length())
                    .replace(".java", "").replace('/', '.');
            assertTrue(command.contains(className), "tools/docs-pictures runs " + className);
        }
    }

    @Test
    void aLineThatIsNotAPictureIsRefusedWithItsLineNumber(@TempDir Path directory) throws IOException {
        Path list = Files.writeString(directory.resolve("pictures.list"),
                "# comment\n\nlens.png <- InductionLogitLens.repeatByLayer\nlens.png = InductionLogitLens\n");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> SamplePictures.read(list));
        assertTrue(refused.getMessage().contains("pictures.list:4") && refused.getMessage()
                .contains("'lens.png = InductionLogitLens'"), "names line 4: " + refused.getMessage());
    }
}
