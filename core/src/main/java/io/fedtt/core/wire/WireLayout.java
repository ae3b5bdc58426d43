package io.fedtt.core.wire;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.TensorSpec;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The adapter's tensors as both ends of the wire know them from the job: names in sorted order (as
 * {@link AdapterState} keeps them), each with its shape. A packed body names its tensors by their
 * index here (a presence bitmap) and carries this layout's digest instead of names and shapes, so
 * a body of 179 tensors costs a 23-byte bitmap instead of a 19 KB safetensors header.
 */
public final class WireLayout {

    private final List<String> names;
    private final int[][] shapes;
    private final int[] sizes;
    private final Map<String, Integer> index;
    private final byte[] digest;

    private WireLayout(Map<String, int[]> byName) {
        TreeMap<String, int[]> sorted = new TreeMap<>(byName);
        names = List.copyOf(sorted.keySet());
        shapes = new int[names.size()][];
        sizes = new int[names.size()];
        index = new HashMap<>();
        MessageDigest sha = Digest.sha256();
        int i = 0;
        for (Map.Entry<String, int[]> e : sorted.entrySet()) {
            shapes[i] = e.getValue().clone();
            sizes[i] = Math.toIntExact(Tensor.numel(shapes[i]));
            index.put(e.getKey(), i);
            // name, NUL, rank and dims: unambiguous, so two layouts share a digest only if they are equal
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(intBytes(shapes[i].length));
            for (int d : shapes[i]) {
                sha.update(intBytes(d));
            }
            i++;
        }
        digest = sha.digest();
    }

    /** The layout of a full adapter state (the job's initial global adapter). */
    public static WireLayout of(AdapterState full) {
        Map<String, int[]> m = new LinkedHashMap<>();
        full.tensors().forEach((k, v) -> m.put(k, v.shape()));
        return new WireLayout(m);
    }

    /** The layout an {@link AdapterLayout} lays out (what a worker builds its model from). */
    public static WireLayout of(AdapterLayout layout) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (TensorSpec t : layout.tensors()) {
            m.put(t.name(), t.shape());
        }
        return new WireLayout(m);
    }

    public int size() {
        return names.size();
    }

    public String name(int i) {
        return names.get(i);
    }

    public List<String> names() {
        return names;
    }

    public int[] shape(int i) {
        return shapes[i].clone();
    }

    /** Elements of tensor {@code i}. */
    public int elements(int i) {
        return sizes[i];
    }

    /** The index of {@code name}, or -1 when the layout has no such tensor. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    /** SHA-256 of the names and shapes (32 bytes). */
    public byte[] digest() {
        return digest.clone();
    }

    public String digestHex() {
        return java.util.HexFormat.of().formatHex(digest);
    }

    boolean digestEquals(byte[] other, int offset) {
        return Arrays.equals(digest, 0, 32, other, offset, offset + 32);
    }

    /** Bytes of a presence bitmap over this layout. */
    public int bitmapBytes() {
        return (names.size() + 7) / 8;
    }

    /**
     * The bitmap of {@code present}: bit i (byte i / 8, bit i % 8) set when tensor i is in it.
     *
     * @throws IllegalArgumentException naming a tensor the layout does not have
     */
    public byte[] bitmap(Collection<String> present) {
        byte[] bits = new byte[bitmapBytes()];
        for (String n : present) {
            int i = indexOf(n);
            if (i < 0) {
                throw new IllegalArgumentException("tensor '" + n + "' is not part of the adapter layout");
            }
            bits[i >>> 3] |= (byte) (1 << (i & 7));
        }
        return bits;
    }

    /** The names a bitmap marks, in layout order; null when it is malformed (wrong length, bits past the end). */
    public List<String> namesOf(byte[] bits) {
        if (bits == null || bits.length != bitmapBytes()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bits.length * 8; i++) {
            if ((bits[i >>> 3] & (1 << (i & 7))) != 0) {
                if (i >= names.size()) {
                    return null;
                }
                out.add(names.get(i));
            }
        }
        return out;
    }

    /** A bitmap as it travels in JSON (base64url without padding). */
    public String maskText(Collection<String> present) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bitmap(present));
    }

    /** The names of a {@link #maskText}, or null when it is malformed. */
    public List<String> namesOfMask(String text) {
        try {
            return namesOf(Base64.getUrlDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
