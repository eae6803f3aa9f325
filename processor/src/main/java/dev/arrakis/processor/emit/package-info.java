/**
 * Turns the processor's models into Java source and resource text. Nothing here touches {@code javax.lang.model}:
 * the emitters take {@link dev.arrakis.processor.model} records and give JavaPoet files, so they are tested without
 * a compiler and produce the same text for the same model, byte for byte.
 */
package dev.arrakis.processor.emit;
