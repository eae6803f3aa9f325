/**
 * The Arrakis annotation processors. {@link dev.arrakis.processor.ExperimentProcessor} (isolating) checks each
 * {@code @Experiment} class against its model and generates its runner; {@link
 * dev.arrakis.processor.ExperimentRegistryProcessor} (aggregating) generates the typed hook classes and the
 * {@code ServiceLoader} registry, and checks what spans classes. Put this artifact on the annotation processor path
 * (Maven {@code annotationProcessorPaths}, Gradle {@code annotationProcessor}), never on the class path.
 */
package dev.arrakis.processor;
