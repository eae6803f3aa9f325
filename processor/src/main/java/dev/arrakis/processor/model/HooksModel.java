package dev.arrakis.processor.model;

import com.palantir.javapoet.ClassName;
import dev.arrakis.spec.ModelConfig;

/**
 * A typed hook class to generate for one model in one package.
 *
 * @param hooksClass e.g. {@code p.Gpt2Hooks}
 * @param modelName what the class's javadoc and range messages call the model
 * @param shape the model's shape, from which every hook point follows
 */
public record HooksModel(ClassName hooksClass, String modelName, ModelConfig shape) {}
