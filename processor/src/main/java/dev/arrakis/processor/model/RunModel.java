package dev.arrakis.processor.model;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.spec.Intervention;
import java.util.List;

/**
 * One run method.
 *
 * @param name the run's name
 * @param methodName the method to call
 * @param input the input the model runs on, empty for patching (which names its own)
 * @param interventions in declaration order
 * @param captures the full hook names read with {@code @Capture}, without repeats, in parameter order
 * @param needsCache whether an argument is the whole cache
 * @param plot the {@code @Plot}, or null
 * @param logged whether {@code @LogExperiment} applies
 * @param resultType the return type as written in source, for the run record
 * @param returnsVoid whether the invoker returns null after the call
 * @param arguments one per parameter
 * @param attributionPatching whether the run is an {@code @AttributionPatch}, whose method is the metric
 */
public record RunModel(
        String name,
        String methodName,
        String input,
        List<Intervention> interventions,
        List<String> captures,
        boolean needsCache,
        Plot plot,
        boolean logged,
        String resultType,
        boolean returnsVoid,
        List<ArgumentModel> arguments,
        boolean attributionPatching) {

    public RunModel {
        interventions = List.copyOf(interventions);
        captures = List.copyOf(captures);
        arguments = List.copyOf(arguments);
    }

    /** @param title empty for the run's name */
    public record Plot(PlotKind kind, String title) {}
}
