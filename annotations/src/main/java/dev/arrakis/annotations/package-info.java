/** The annotations researchers declare experiments with; filled in by the declarative-experiments issue. */
package dev.arrakis.annotations;
