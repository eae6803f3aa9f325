package dev.arrakis.samples.docs;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.plot.PlotRenderer;
import dev.arrakis.plot.RenderedPlot;
import dev.arrakis.runs.RunOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws the docs' pictures that samples make, as {@code docs/images/pictures.list} lists them: each listed run of a
 * sample is run by its generated runner, as {@code ./arrakis run} runs it, and its plot rendered as the run store
 * renders it; the PNG is copied to the output directory under the listed name. {@code tools/docs-pictures} runs it
 * (docs/plots.md): {@code java ... dev.arrakis.samples.docs.SamplePictures [listFile] [outputDirectory]}.
 */
public final class SamplePictures {
    private static final Pattern LINE =
            Pattern.compile("(\\S+\\.png)\\s+<-\\s+(\\w+)\\.(\\w+)(?:\\s+panel\\s+(\\d+))?");

    /** One line of the list: a picture, the run that draws it and which of its pictures (1 unless it draws several). */
    record Picture(String file, String experiment, String run, int panel) {}

    private SamplePictures() {}

    /** The pictures of a list file, in order; a line that is not blank, a comment or a picture is an error naming it. */
    static List<Picture> read(Path list) throws IOException {
        List<Picture> pictures = new ArrayList<>();
        List<String> lines = Files.readAllLines(list);
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                throw new IllegalArgumentException(list + ":" + number + ": '" + line
                        + "' is not 'PICTURE.png  <-  Experiment.run  [panel N]'");
            }
            pictures.add(new Picture(matcher.group(1), matcher.group(2), matcher.group(3),
                    matcher.group(4) == null ? 1 : Integer.parseInt(matcher.group(4))));
        }
        return pictures;
    }

    public static void main(String[] args) throws IOException {
        Path list = Path.of(args.length > 0 ? args[0] : "docs/images/pictures.list");
        Path output = Files.createDirectories(Path.of(args.length > 1 ? args[1] : "docs/images"));
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Picture>> byExperiment = new LinkedHashMap<>();
        for (Picture picture : read(list)) {
            byExperiment.computeIfAbsent(picture.experiment(), name -> new ArrayList<>()).add(picture);
        }
        ExperimentRegistry registry = ExperimentRegistry.load(SamplePictures.class.getClassLoader());
        Path scratch = Files.createTempDirectory("arrakis-sample-pictures");
        PlotRenderer renderer = new PlotRenderer();
        for (Map.Entry<String, List<Picture>> experiment : byExperiment.entrySet()) {
            // One runner per experiment: its model is loaded once for all of its pictures.
            try (ExperimentRunner runner = ExperimentRunner.open(registry.find(experiment.getKey()),
                    RunnerOptions.defaults())) {
                for (Picture picture : experiment.getValue()) {
                    RunOutcome outcome = runner.run(picture.run(), Map.of());
                    String name = picture.experiment() + "." + picture.run();
                    RenderedPlot rendered = renderer.render(outcome.plot().orElseThrow(() -> new IllegalArgumentException(
                            name + " draws no plot; give it @Plot or list another run")), scratch, name);
                    List<Path> pngs = rendered.pngFiles();
                    if (picture.panel() > pngs.size()) {
                        throw new IllegalArgumentException(name + " draws " + pngs.size() + " pictures; panel "
                                + picture.panel() + " does not exist");
                    }
                    Path target = output.resolve(picture.file());
                    Files.copy(pngs.get(picture.panel() - 1), target, StandardCopyOption.REPLACE_EXISTING);
                    System.out.println("wrote " + target + " <- " + name);
                }
            }
        }
        deleteTree(scratch);
    }

    private static void deleteTree(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException failure) {
                    throw new UncheckedIOException(failure);
                }
            });
        }
    }
}
