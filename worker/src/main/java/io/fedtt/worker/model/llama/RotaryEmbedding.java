package io.fedtt.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (RoPE) as Hugging Face's LLaMA applies them: frequencies
 * theta^(-2i/d) for the first half of each head, duplicated over the second half, optionally
 * rescaled (rope_scaling {@code linear} or {@code llama3}); q·cos + rotate_half(q)·sin.
 */
public final class RotaryEmbedding {

    private final int headDim;
    private final float[] invFreq;

    public RotaryEmbedding(LlamaConfig config) {
        this.headDim = config.headDim();
        this.invFreq = inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling());
    }

    /** theta^(-2i/d) for i < d/2, after the configured scaling; float32 as Hugging Face keeps them. */
    static float[] inverseFrequencies(int dim, double theta, LlamaConfig.RopeScaling scaling) {
        float[] f = new float[dim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / dim));
        }
        if (scaling == null) {
            return f;
        }
        if ("linear".equals(scaling.type())) {
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) (f[i] / scaling.factor());
            }
            return f;
        }
        // llama3: long wavelengths slowed by `factor`, short ones kept, a smooth blend in between
        double lowWavelen = scaling.originalMaxPositions() / scaling.lowFreqFactor();
        double highWavelen = scaling.originalMaxPositions() / scaling.highFreqFactor();
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            double scaled = wavelen > lowWavelen ? f[i] / scaling.factor() : f[i];
            if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                double smooth = (scaling.originalMaxPositions() / wavelen - scaling.lowFreqFactor())
                        / (scaling.highFreqFactor() - scaling.lowFreqFactor());
                scaled = (1 - smooth) * scaled / scaling.factor() + smooth * scaled;
            }
            f[i] = (float) scaled;
        }
        return f;
    }

    /** (cos, sin), each [length, headDim], for positions 0 .. length-1. */
    public NDList table(NDManager manager, int length) {
        float[] cos = new float[length * headDim];
        float[] sin = new float[length * headDim];
        int half = headDim / 2;
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) t * invFreq[i]; // a float32 product, as Hugging Face computes it
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[t * headDim + i] = c;
                cos[t * headDim + half + i] = c;
                sin[t * headDim + i] = s;
                sin[t * headDim + half + i] = s;
            }
        }
        Shape shape = new Shape(length, headDim);
        return new NDList(manager.create(cos, shape), manager.create(sin, shape));
    }

    /**
     * x [..., T, headDim] rotated by the table's (cos, sin) [T, headDim]. The temporaries are closed
     * at once (autograd keeps its own reference to anything it saves), so a training step does not
     * hold them until it ends.
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(2, last);
        NDArray negated = halves.get(1).neg();
        NDArray rotated = NDArrays.concat(new NDList(negated, halves.get(0)), last);
        NDArray a = x.mul(cos);
        NDArray b = rotated.mul(sin);
        NDArray out = a.add(b);
        halves.close();
        negated.close();
        rotated.close();
        a.close();
        b.close();
        return out;
    }
}
