package dev.arrakis.experiment;

import dev.arrakis.model.TokenBatch;
import java.util.List;

/**
 * The experiment the test class path registers as a service (as the processor would register a generated one), with
 * two runs: {@code logitDiff} and {@code headSweep}.
 */
public class RegisteredTestExperiment implements ExperimentDefinition {
    private final ExperimentDefinition delegate = TestDefinition.named("RegisteredTest")
            .experimentClass(getClass().getName())
            .input("prompts", TokenBatch.of(new long[] {5, 17, 3, 99}))
            .run(RunDefinition.builder("logitDiff")
                    .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits())))
            .run(RunDefinition.builder("headSweep")
                    .intervention(new Intervention.Ablation("", Selection.of(0), Selection.everyIndex(),
                            Selection.none(), Selection.none(), dev.arrakis.annotations.AblationMethod.ZERO))
                    .plot(dev.arrakis.annotations.PlotKind.AUTO, "")
                    .invoker((experiment, context) -> slowly(Metrics.lastLogitDiff(context.logits()))));

    /** Lets a test stop a sweep part-way, as Ctrl-C would: each point takes this long and says when it is done. */
    static final String POINT_DELAY_PROPERTY = "arrakis.test.pointDelayMillis";

    private static double slowly(double result) throws InterruptedException {
        long delay = Long.getLong(POINT_DELAY_PROPERTY, 0);
        if (delay > 0) {
            Thread.sleep(delay);
            System.err.println("point done");
            System.err.flush();
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
    public List<InputDefinition> inputs() {
        return delegate.inputs();
    }

    @Override
    public List<RunDefinition> runs() {
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
