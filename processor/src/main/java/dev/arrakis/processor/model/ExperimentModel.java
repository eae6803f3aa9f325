package dev.arrakis.processor.model;

import com.palantir.javapoet.ClassName;
import java.util.List;

/**
 * One valid {@code @Experiment} class, ready to be emitted as its runner.
 *
 * @param experimentClass the experiment class (top level or static member)
 * @param binaryName the class's binary name ({@code p.Outer$Inner}), what {@code experimentClass()} returns
 * @param name the experiment's name: {@code @Experiment(name)} or the class's simple name
 * @param model where the model comes from and the shape it was checked against
 * @param fingerprint SHA-256 hex of the definition
 * @param source the class's source text as written
 * @param inputs the {@code @Input} methods in declaration order
 * @param runs the run methods in declaration order
 */
public record ExperimentModel(
        ClassName experimentClass,
        String binaryName,
        String name,
        ModelSourceModel model,
        String fingerprint,
        String source,
        List<InputModel> inputs,
        List<RunModel> runs) {

    public ExperimentModel {
        inputs = List.copyOf(inputs);
        runs = List.copyOf(runs);
    }

    /** {@code IoiHeads_Experiment} for {@code IoiHeads}; {@code Outer_Inner_Experiment} for a member class. */
    public ClassName runnerClass() {
        return runnerClassOf(experimentClass);
    }

    /** The runner's name for an experiment class, the one rule the processors and the registry share. */
    public static ClassName runnerClassOf(ClassName experimentClass) {
        return ClassName.get(experimentClass.packageName(),
                String.join("_", experimentClass.simpleNames()) + "_Experiment");
    }
}
