package dev.arrakis.annotations;

/** An attribute of an intervention that can be swept, one run per value. */
public enum Axis {
    LAYER,
    HEAD,
    NEURON,
    POSITION
}
