package io.fedtt.core.tt;

import io.fedtt.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Initial values for TT cores. */
public final class TtInit {

    private TtInit() {
    }

    /**
     * LoRETTA's initialization: core i ~ N(0,1)/sqrt(r_i) times (1/(in+out))^(1/(2d)), r_i being
     * the core's trailing rank. The reconstructed W then has entry variance 1/(in+out).
     *
     * @param coreSeeds one random stream per core (see {@link SeededRandom#forTensor})
     */
    public static List<Tensor> loretta(TtShape shape, int in, int out, List<SeededRandom> coreSeeds) {
        int d = shape.order();
        if (coreSeeds.size() != d) {
            throw new IllegalArgumentException("need " + d + " random streams, one per core, got " + coreSeeds.size());
        }
        if (shape.denseSize() != (long) in * out) {
            throw new IllegalArgumentException(shape + " does not hold a " + in + "x" + out + " matrix");
        }
        double scale = Math.pow(1.0 / (in + out), 1.0 / (2.0 * d));
        List<Tensor> cores = new ArrayList<>(d);
        for (int i = 0; i < d; i++) {
            int[] s = shape.coreShape(i);
            double std = scale / Math.sqrt(s[2]);
            cores.add(new Tensor(s, coreSeeds.get(i).gaussian(s[0] * s[1] * s[2], std)));
        }
        return cores;
    }

    /**
     * LoRETTA's initialization with the last core set to zero, so the layer's W is exactly zero at
     * start; used for an adapter's up projection so the adapter starts as the identity.
     */
    public static List<Tensor> zeroLast(TtShape shape, int in, int out, List<SeededRandom> coreSeeds) {
        List<Tensor> cores = loretta(shape, in, out, coreSeeds);
        int last = shape.order() - 1;
        cores.set(last, Tensor.zeros(shape.coreShape(last)));
        return cores;
    }
}
