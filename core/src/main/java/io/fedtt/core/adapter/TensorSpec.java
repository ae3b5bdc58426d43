package io.fedtt.core.adapter;

import io.fedtt.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One trainable tensor of an adapter layout.
 *
 * @param ttLayer   for a TT core, the owning TT layer's name (e.g. {@code ...adapter.up}); else null
 * @param coreIndex for a TT core, its 0-based index in the train; else -1
 * @param fromBase  true for a tensor of the pretrained model itself (norms, full fine-tuning weights):
 *                  adapter states carry it as an offset from the pretrained value
 */
public record TensorSpec(String name, int[] shape, Role role, String ttLayer, int coreIndex, boolean fromBase) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        shape = shape.clone();
        Tensor.numel(shape);
        if ((ttLayer == null) != (coreIndex < 0)) {
            throw new IllegalArgumentException(name + ": a TT core needs both its layer and its index");
        }
    }

    public TensorSpec(String name, int[] shape, Role role) {
        this(name, shape, role, null, -1, false);
    }

    static TensorSpec core(String layer, int index, int[] shape, Role role) {
        return new TensorSpec(TtLayerSpec.coreName(layer, index), shape, role, layer, index, false);
    }

    static TensorSpec base(String name, int[] shape, Role role) {
        return new TensorSpec(name, shape, role, null, -1, true);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Tensor.numel(shape);
    }

    public boolean isTtCore() {
        return ttLayer != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && name.equals(s.name) && Arrays.equals(shape, s.shape) && role == s.role
                && Objects.equals(ttLayer, s.ttLayer) && coreIndex == s.coreIndex && fromBase == s.fromBase;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), role, ttLayer, coreIndex, fromBase);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + role;
    }
}
