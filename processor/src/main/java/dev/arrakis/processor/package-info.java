/** The annotation processor that validates experiments against a model's shape and generates their runners. */
package dev.arrakis.processor;
