package dev.arrakis.samples;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The samples compile through the annotation processor, yet nothing the processor depends on reaches their class
 * path: it runs from the compiler's processor path, as users are told to configure it.
 */
class ClassPathTest {

    @Test
    void processorAndItsDependenciesAreNotOnTheRunTimeClassPath() {
        for (String name : new String[] {
                "dev.arrakis.processor.ExperimentProcessor", "com.palantir.javapoet.JavaFile",
                "com.google.auto.service.AutoService"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name);
        }
    }
}
