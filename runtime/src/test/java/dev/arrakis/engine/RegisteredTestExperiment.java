package dev.arrakis.engine;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Selection;
import java.io.IOException;
import java.util.List;

/**
 * The experiment the test class path registers as a service (as the processor would register a generated one), with
 * two runs: {@code logitDiff} and {@code headSweep}.
 */
public class RegisteredTestExperiment implements ExperimentDefinition<Object> {
    private final ExperimentDefinition<Object> delegate = TestDefinition.named("RegisteredTest")
            .experimentClass(getClass().getName())
            .input("prompts", TokenBatch.of(new long[] {5, 17, 3, 99}))
            .run(RunDefinition.builder("logitDiff")
                    .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits())))
            .run(RunDefinition.builder("headSweep")
                    .intervention(new Intervention.Ablation("", Selection.of(0), Selection.everyIndex(),
                            Selection.none(), Selection.none(), dev.arrakis.annotations.AblationMethod.ZERO))
                    .plot(dev.arrakis.annotations.PlotKind.AUTO, "")
                    .invoker((experiment, context) -> gated(Metrics.lastLogitDiff(context.logits()))));

    /**
     * Lets a test stop a sweep part-way, as Ctrl-C would, without racing it: each point says when it is done and
     * then waits for a line on stdin, so the test decides when the sweep may go on, however slow the machine.
     */
    static final String POINT_GATE_PROPERTY = "arrakis.test.pointGate";

    private static double gated(double result) throws IOException {
        if (Boolean.getBoolean(POINT_GATE_PROPERTY)) {
            System.err.println("point done");
            System.err.flush();
            for (int c = System.in.read(); c != '\n' && c != -1; c = System.in.read()) {
                // the rest of the line
            }
        }
        return result;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String experimentClass() {
        return delegate.experimentClass();
    }

    @Override
    public ModelSource model() {
        return delegate.model();
    }

    @Override
    public dev.arrakis.spec.ModelConfig shape() {
        return delegate.shape();
    }

    @Override
    public String fingerprint() {
        return delegate.fingerprint();
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public List<InputDefinition<Object, ?>> inputs() {
        return delegate.inputs();
    }

    @Override
    public List<RunDefinition<Object>> runs() {
        return delegate.runs();
    }

    @Override
    public Object newInstance() {
        return delegate.newInstance();
    }

    /** A second class claiming the same experiment name. */
    public static final class Twin extends RegisteredTestExperiment {
        @Override
        public String experimentClass() {
            return getClass().getName();
        }
    }
}
