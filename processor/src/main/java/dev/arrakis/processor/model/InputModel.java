package dev.arrakis.processor.model;

import com.palantir.javapoet.TypeName;

/**
 * An {@code @Input} method.
 *
 * @param name the input's name
 * @param methodName the method to call
 * @param type its declared return type
 * @param takesModel whether it takes the {@code HookedTransformer}
 * @param isStatic whether it is called on the class rather than on the instance
 */
public record InputModel(String name, String methodName, TypeName type, boolean takesModel, boolean isStatic) {}
