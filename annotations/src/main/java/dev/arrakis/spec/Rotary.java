package dev.arrakis.spec;

import java.util.List;

/**
 * Rotary position embedding as HF transformers computes it (the GPT-NeoX "rotate half" layout every supported family
 * uses): the first {@code dimensions} features of each query and key head are rotated by position-dependent angles,
 * the rest pass through. The frequency formulas are those of HF's {@code modeling_rope_utils}.
 *
 * @param dimensions how many features of a head are rotated (even; d_head times the partial-rotary fraction)
 * @param theta the base wavelength ({@code rope_theta}, {@code rotary_emb_base})
 * @param scaling how the frequencies are stretched for long contexts ({@code rope_scaling})
 */
public record Rotary(int dimensions, double theta, Scaling scaling) {

    public Rotary {
        if (dimensions <= 0 || dimensions % 2 != 0) {
            throw new IllegalArgumentException("rotary dimensions must be positive and even, got " + dimensions);
        }
        if (!(theta > 1)) {
            throw new IllegalArgumentException("rotary theta must be greater than 1, got " + theta);
        }
    }

    /**
     * The frequencies and the factor cos and sin are multiplied by for one forward pass.
     *
     * @param inverseFrequencies one angle per position step for each rotated pair ({@code dimensions / 2})
     * @param attentionFactor multiplies cos and sin (1 except for LongRoPE)
     */
    public record Frequencies(double[] inverseFrequencies, double attentionFactor) {}

    /**
     * The frequencies for a pass whose largest position id is {@code longestSequence - 1}. Dynamic NTK and LongRoPE
     * depend on it; HF derives it from the batch's position ids in the same way, but keeps the widest frequencies it
     * has seen, where this is computed afresh for every pass so that a pass never depends on the ones before it.
     */
    public Frequencies frequencies(int longestSequence) {
        return scaling.frequencies(this, longestSequence);
    }

    /** {@code 1 / theta^(2i / dimensions)}, HF's default. */
    double[] defaultInverseFrequencies(double base) {
        double[] inverse = new double[dimensions / 2];
        for (int i = 0; i < inverse.length; i++) {
            // HF computes the exponent in f32; rounding it the same way keeps the angles equal to the last bit or so
            float exponent = (float) (2 * i) / dimensions;
            inverse[i] = 1.0 / Math.pow(base, exponent);
        }
        return inverse;
    }

    /** A {@code rope_scaling} variant. */
    public sealed interface Scaling {
        Frequencies frequencies(Rotary rotary, int longestSequence);
    }

    /** No scaling. */
    public record Unscaled() implements Scaling {
        @Override
        public Frequencies frequencies(Rotary rotary, int longestSequence) {
            return new Frequencies(rotary.defaultInverseFrequencies(rotary.theta()), 1);
        }
    }

    /** Position interpolation: every frequency divided by {@code factor}. */
    public record Linear(double factor) implements Scaling {
        @Override
        public Frequencies frequencies(Rotary rotary, int longestSequence) {
            double[] inverse = rotary.defaultInverseFrequencies(rotary.theta());
            for (int i = 0; i < inverse.length; i++) {
                inverse[i] /= factor;
            }
            return new Frequencies(inverse, 1);
        }
    }

    /** Dynamic NTK: beyond {@code originalContext} positions, the base grows with the sequence. */
    public record DynamicNtk(double factor, int originalContext) implements Scaling {
        @Override
        public Frequencies frequencies(Rotary rotary, int longestSequence) {
            double base = rotary.theta();
            if (longestSequence > originalContext) {
                int dim = rotary.dimensions();
                base = base * Math.pow(factor * longestSequence / originalContext - (factor - 1),
                        (double) dim / (dim - 2));
            }
            return new Frequencies(rotary.defaultInverseFrequencies(base), 1);
        }
    }

    /** Llama 3.1: long wavelengths divided by {@code factor}, short ones kept, the band between smoothed. */
    public record Llama3(double factor, double lowFrequencyFactor, double highFrequencyFactor, int originalContext)
            implements Scaling {
        @Override
        public Frequencies frequencies(Rotary rotary, int longestSequence) {
            double[] inverse = rotary.defaultInverseFrequencies(rotary.theta());
            double lowFrequencyWavelength = originalContext / lowFrequencyFactor;
            double highFrequencyWavelength = originalContext / highFrequencyFactor;
            for (int i = 0; i < inverse.length; i++) {
                double wavelength = 2 * Math.PI / inverse[i];
                if (wavelength > lowFrequencyWavelength) {
                    inverse[i] /= factor;
                } else if (wavelength >= highFrequencyWavelength) {
                    double smooth = (originalContext / wavelength - lowFrequencyFactor)
                            / (highFrequencyFactor - lowFrequencyFactor);
                    inverse[i] = (1 - smooth) * inverse[i] / factor + smooth * inverse[i];
                }
            }
            return new Frequencies(inverse, 1);
        }
    }

    /**
     * YaRN: frequencies that turn fewer than {@code betaSlow} times over the original context are interpolated
     * (divided by {@code factor}), those turning more than {@code betaFast} times are kept, and a linear ramp over
     * the dimensions blends the band between; cos and sin are multiplied by {@code attentionFactor}.
     */
    public record Yarn(double factor, double attentionFactor, double betaFast, double betaSlow, int originalContext,
            boolean truncate) implements Scaling {
        @Override
        public Frequencies frequencies(Rotary rotary, int longestSequence) {
            int dim = rotary.dimensions();
            double base = rotary.theta();
            double low = correctionDimension(betaFast, dim, base);
            double high = correctionDimension(betaSlow, dim, base);
            if (truncate) {
                low = Math.floor(low);
                high = Math.ceil(high);
            }
            low = Math.max(low, 0);
            high = Math.min(high, dim - 1);
            if (low == high) {
                high += 0.001; // HF's guard against a zero-width ramp
            }
            double[] inverse = rotary.defaultInverseFrequencies(base);
            for (int i = 0; i < inverse.length; i++) {
                double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
                double extrapolation = 1 - ramp;
                inverse[i] = inverse[i] / factor * (1 - extrapolation) + inverse[i] * extrapolation;
            }
            return new Frequencies(inverse, attentionFactor);
        }

        /** The dimension whose frequency turns {@code rotations} times over the original context. */
        private double correctionDimension(double rotations, int dim, double base) {
            return dim * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
        }
    }

    /**
     * LongRoPE (Phi-3): each frequency divided by its own factor, the short list up to {@code originalContext}
     * positions and the long list beyond; cos and sin are multiplied by {@code attentionFactor}.
     */
    public record LongRope(List<Double> shortFactors, List<Double> longFactors, int originalContext,
            double attentionFactor) implements Scaling {
        public LongRope {
            shortFactors = List.copyOf(shortFactors);
            longFactors = List.copyOf(longFactors);
        }

        @Override
        public Frequencies frequencies(Rotary rotary, int longestSequence) {
            List<Double> factors = longestSequence > originalContext ? longFactors : shortFactors;
            double[] inverse = rotary.defaultInverseFrequencies(rotary.theta());
            for (int i = 0; i < inverse.length; i++) {
                inverse[i] /= factors.get(i);
            }
            return new Frequencies(inverse, attentionFactor);
        }
    }
}
