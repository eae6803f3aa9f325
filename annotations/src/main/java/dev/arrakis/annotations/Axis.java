package dev.arrakis.annotations;

/** An attribute of an intervention that can be swept, one run per value. */
public enum Axis {
    LAYER,
    HEAD,
    NEURON,
    POSITION,
    /**
     * The coefficients a {@code @Steer} is swept over ({@code coefficient=0,0.5,1}); a point's coordinate on it is the
     * index into that list, since coordinates are integers and the values are not.
     */
    COEFFICIENT
}
