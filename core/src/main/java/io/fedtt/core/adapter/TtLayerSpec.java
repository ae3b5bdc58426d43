package io.fedtt.core.adapter;

import io.fedtt.core.tt.TtShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A TT layer of the layout: W [in, out] stored as the cores {@code name.cores.0..d-1}, y = x·W + b, or
 * y = x·W without a bias (a {@link Kind#DELTA}).
 *
 * @param zeroInitCore index of the core that starts at zero (the up projection's and a delta's last
 *                     core with identity-at-start init), or -1
 * @param hasBias      whether the layer has the dense bias {@link #biasName()} (adapter projections and
 *                     the head do, deltas do not)
 */
public record TtLayerSpec(String name, int in, int out, TtShape shape, Kind kind, int zeroInitCore, boolean hasBias) {

    /** Which projection of an adapter (or the head's dense layer) this is; also the modes-override key. */
    public enum Kind {
        DOWN("down"), UP("up"), HEAD("head"),
        /**
         * A parallel update of a pretrained projection W0 [in, out] (named {@code <module>.tt_delta}):
         * y = x·W0 + s·x·W, s the adapter scaling; no bias.
         */
        DELTA("delta");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The key of {@link AdapterConfig#modes()} that overrides this kind's modes. */
        public String key() {
            return key;
        }
    }

    public TtLayerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(kind, "kind");
        if (shape.denseSize() != (long) in * out) {
            throw new IllegalArgumentException(name + ": " + shape + " does not hold a " + in + "x" + out + " matrix");
        }
        if (zeroInitCore < -1 || zeroInitCore >= shape.order()) {
            throw new IllegalArgumentException(name + ": no core " + zeroInitCore);
        }
    }

    public static String coreName(String layer, int index) {
        return layer + ".cores." + index;
    }

    public String coreName(int index) {
        if (index < 0 || index >= shape.order()) {
            throw new IndexOutOfBoundsException(name + " has " + shape.order() + " cores, not core " + index);
        }
        return coreName(name, index);
    }

    public List<String> coreNames() {
        List<String> names = new ArrayList<>(shape.order());
        for (int i = 0; i < shape.order(); i++) {
            names.add(coreName(name, i));
        }
        return names;
    }

    /**
     * The dense bias that goes with this layer.
     *
     * @throws IllegalStateException for a layer without a bias (a delta)
     */
    public String biasName() {
        if (!hasBias) {
            throw new IllegalStateException(name + " (" + kind.key() + ") has no bias");
        }
        return name + ".bias";
    }

    public int cores() {
        return shape.order();
    }

    public boolean hasZeroInitCore() {
        return zeroInitCore >= 0;
    }
}
