package dev.arrakis.processor.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.processor.emit.HooksNaming;
import dev.arrakis.spec.ConfigReader;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.KnownModels;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelConfigException;
import dev.arrakis.spec.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.TypeElement;

/**
 * Finds the model an {@code @Experiment} names: a catalogue entry ({@link KnownModels}), or a {@code config.json}
 * parsed by the same {@link ConfigShapes} the runtime loads it with. A config path is resolved against the
 * {@code arrakis.projectDir} processor option when it is set, otherwise beside the experiment's source file and in
 * each directory above it; the directory it was found under is recorded, so that a run started from any directory
 * loads the same file.
 */
public final class ModelResolver {
    /** The processor option naming the directory config paths are relative to. */
    public static final String PROJECT_DIR_OPTION = "arrakis.projectDir";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path projectDir;
    private final CompilerTrees trees;
    private final Map<Path, Object> parsedConfigs = new HashMap<>();

    /**
     * @param projectDir the {@code arrakis.projectDir} option, or null
     */
    public ModelResolver(String projectDir, CompilerTrees trees) {
        this.projectDir = projectDir == null || projectDir.isBlank() ? null : Path.of(projectDir);
        this.trees = trees;
    }

    /**
     * The model and the hooks class named after it.
     *
     * @param knownName the catalogue name, or null
     * @param configPath the config path as written, or null
     * @param projectDir the absolute directory a relative {@code configPath} was found under, or null
     * @param shape the shape
     * @param hooksSimpleName e.g. {@code Gpt2Hooks}
     */
    public record ResolvedModel(String knownName, String configPath, Path projectDir, ModelConfig shape,
            String hooksSimpleName) {

        /** What messages call the model: the catalogue name or the config path. */
        public String displayName() {
            return knownName != null ? knownName : configPath;
        }
    }

    /** The experiment's model, or empty after reporting why there is none. */
    public Optional<ResolvedModel> resolve(TypeElement type, AnnotationSite experiment,
            ValidationReport.Builder report) {
        String model = experiment.string("model");
        String config = experiment.string("config");
        if (!model.isEmpty() && !config.isEmpty()) {
            report.error(Problem.of(Message.MODEL_SOURCE), experiment.attribute("config"));
            return Optional.empty();
        }
        if (model.isEmpty() && config.isEmpty()) {
            report.error(Problem.of(Message.MODEL_SOURCE), experiment.whole());
            return Optional.empty();
        }
        if (!model.isEmpty()) {
            Optional<KnownModels.KnownModel> known = KnownModels.find(model);
            if (known.isEmpty()) {
                report.error(Problem.of(Message.UNKNOWN_MODEL, model, KnownModels.suggestion(model),
                        KnownModels.catalogue()), experiment.attribute("model"));
                return Optional.empty();
            }
            return Optional.of(new ResolvedModel(model, null, null, known.get().config(),
                    HooksNaming.hooksClassForModel(model)));
        }
        Site site = experiment.attribute("config");
        Optional<Path> foundUnder = locate(type, config, site, report);
        if (foundUnder.isEmpty()) {
            return Optional.empty();
        }
        Path base = foundUnder.get().toAbsolutePath().normalize();
        Object parsed = parsedConfigs.computeIfAbsent(base.resolve(config).normalize(), path -> parse(path, config));
        if (parsed instanceof Problem problem) {
            report.error(problem, site);
            return Optional.empty();
        }
        return Optional.of(new ResolvedModel(null, config, Path.of(config).isAbsolute() ? null : base,
                (ModelConfig) parsed, HooksNaming.hooksClassForConfig(config)));
    }

    /** The directory {@code config} resolves against to an existing file, or empty after reporting its absence. */
    private Optional<Path> locate(TypeElement type, String config, Site site, ValidationReport.Builder report) {
        if (projectDir != null) {
            if (Files.isRegularFile(projectDir.resolve(config))) {
                return Optional.of(projectDir);
            }
            report.error(Problem.of(Message.CONFIG_NOT_IN_PROJECT, config, projectDir), site);
            return Optional.empty();
        }
        Optional<Path> sourceDir = trees.sourceDirectory(type);
        if (sourceDir.isEmpty()) {
            report.error(Problem.of(Message.CONFIG_NO_SOURCE_DIR, config), site);
            return Optional.empty();
        }
        for (Path dir = sourceDir.get(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(config))) {
                return Optional.of(dir);
            }
        }
        report.error(Problem.of(Message.CONFIG_NOT_FOUND, config,
                trees.sourceFileName(type).orElse(type.getQualifiedName().toString())), site);
        return Optional.empty();
    }

    /** The shape, or the problem with the file; messages call the file by its path as written. */
    private static Object parse(Path file, String written) {
        Map<?, ?> root;
        try {
            Object json = JSON.readValue(file.toFile(), Object.class);
            if (!(json instanceof Map<?, ?> map)) {
                return Problem.of(Message.INVALID_CONFIG, "model config " + written + " is not a JSON object");
            }
            root = map;
        } catch (JsonProcessingException e) {
            return Problem.of(Message.INVALID_CONFIG, "model config " + written + " is not valid JSON: "
                    + e.getOriginalMessage() + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            return Problem.of(Message.INVALID_CONFIG, "model config " + written + " cannot be read: " + e);
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> object = (Map<String, ?>) root;
            return ConfigShapes.parse(new ConfigReader(object, written));
        } catch (ModelConfigException e) {
            return Problem.of(Message.INVALID_CONFIG, e.getMessage());
        }
    }
}
