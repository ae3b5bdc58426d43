package io.fedtt.core.tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Builders of safetensors bytes and random adapters for the codec's tests. */
final class SafetensorsTestFiles {

    private SafetensorsTestFiles() {
    }

    /** A file from a header given as text (not padded) and raw data bytes. */
    static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] file(byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le64(header.length));
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] u16(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    /** A random adapter-like state: a few tensors of rank 0 to 3, some empty, plus metadata. */
    static AdapterState randomState(SplittableRandom rnd, int maxTensors) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int n = rnd.nextInt(1, maxTensors + 1);
        for (int i = 0; i < n; i++) {
            int rank = rnd.nextInt(0, 4);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = rnd.nextInt(0, 6);
            }
            float[] data = new float[(int) Tensor.numel(shape)];
            for (int k = 0; k < data.length; k++) {
                data[k] = (float) rnd.nextGaussian();
            }
            tensors.put("layer." + rnd.nextInt(100) + ".core_" + i, new Tensor(shape, data));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        if (rnd.nextBoolean()) {
            meta.put("round", Integer.toString(rnd.nextInt(100)));
            meta.put("format", "fedtt");
        }
        return new AdapterState(tensors, meta);
    }
}
