package dev.arrakis.processor;

import com.palantir.javapoet.ClassName;
import dev.arrakis.processor.model.ExperimentModel;
import dev.arrakis.processor.validation.CompilerTrees;
import dev.arrakis.processor.validation.ExperimentValidator.ValidatedExperiment;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * Completes a validated experiment into the model the runner is emitted from: the class's names, its fingerprint
 * and its source text. Called only for a class whose validation report is clean.
 */
final class ExperimentModelFactory {
    private final Elements elements;
    private final CompilerTrees trees;

    ExperimentModelFactory(Elements elements, CompilerTrees trees) {
        this.elements = elements;
        this.trees = trees;
    }

    ExperimentModel create(TypeElement type, ValidatedExperiment validated) {
        String fingerprint = Fingerprints.sha256Hex(
                trees.parsedText(type).orElseGet(() -> Fingerprints.declarationText(type)));
        String source = trees.sourceText(type).orElseGet(() -> Fingerprints.declarationText(type));
        return new ExperimentModel(ClassName.get(type), elements.getBinaryName(type).toString(), validated.name(),
                validated.model(), fingerprint, source, validated.inputs(), validated.runs());
    }
}
