/**
 * What the processor knows about an experiment once it has been validated: plain records with no
 * {@code javax.lang.model} type in them, so the emitters that turn them into code can be built and tested without a
 * compiler (as JMH's generator core is).
 */
package dev.arrakis.processor.model;
