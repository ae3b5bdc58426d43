package io.fedtt.worker.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.HalfPrecision;
import io.fedtt.core.tensor.SafetensorsException;
import io.fedtt.core.tensor.SafetensorsTable;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The weights of a Hugging Face checkpoint folder: {@code model.safetensors}, or the shards a
 * {@code model.safetensors.index.json} lists. Only the headers are read up front; each tensor is
 * then mapped from its file and copied into libtorch memory on its own, so loading a model holds
 * one copy of it (plus one tensor), never the file and a decoded copy besides.
 */
public final class SafetensorsCheckpoint {

    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one tensor lives. */
    public record Located(SafetensorsTable.Entry entry, Path file) {
    }

    private final Path dir;
    private final Map<String, Located> tensors;

    private SafetensorsCheckpoint(Path dir, Map<String, Located> tensors) {
        this.dir = dir;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** True when {@code dir} holds a single-file or sharded safetensors checkpoint. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    /** Reads the headers of the checkpoint in {@code dir}; errors name the file at fault. */
    public static SafetensorsCheckpoint open(Path dir) throws IOException {
        Map<String, Located> out = new LinkedHashMap<>();
        if (Files.isRegularFile(dir.resolve(INDEX))) {
            Map<String, String> weightMap = readIndex(dir.resolve(INDEX));
            Map<String, SafetensorsTable> shards = new TreeMap<>();
            for (String shard : new TreeSet<>(weightMap.values())) {
                Path file = dir.resolve(shard);
                if (!Files.isRegularFile(file)) {
                    throw new IOException(dir.resolve(INDEX) + " lists shard " + shard + ", which is not in " + dir);
                }
                shards.put(shard, table(file));
            }
            for (Map.Entry<String, SafetensorsTable> s : shards.entrySet()) {
                for (SafetensorsTable.Entry e : s.getValue().entries()) {
                    String listed = weightMap.get(e.name());
                    if (!s.getKey().equals(listed)) {
                        throw new IOException(s.getValue().file() + " holds tensor '" + e.name() + "', which "
                                + INDEX + (listed == null ? " does not list" : " places in " + listed));
                    }
                    out.put(e.name(), new Located(e, s.getValue().file()));
                }
            }
            for (Map.Entry<String, String> w : weightMap.entrySet()) {
                if (!out.containsKey(w.getKey())) {
                    throw new IOException(INDEX + " places tensor '" + w.getKey() + "' in " + w.getValue()
                            + ", which does not hold it");
                }
            }
        } else if (Files.isRegularFile(dir.resolve(SINGLE))) {
            SafetensorsTable t = table(dir.resolve(SINGLE));
            for (SafetensorsTable.Entry e : t.entries()) {
                out.put(e.name(), new Located(e, t.file()));
            }
        } else {
            throw new IOException("model directory " + dir + " has no " + SINGLE + " and no " + INDEX);
        }
        return new SafetensorsCheckpoint(dir, out);
    }

    private static SafetensorsTable table(Path file) throws IOException {
        try {
            return SafetensorsTable.read(file);
        } catch (SafetensorsException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The index's weight_map; shard names must be plain file names in the same folder. */
    public static Map<String, String> readIndex(Path index) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new IOException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode map = n == null ? null : n.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new IOException(index + ": no \"weight_map\" object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().isTextual() ? e.getValue().asText() : null;
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\")
                    || shard.startsWith(".") || !shard.endsWith(".safetensors")) {
                throw new IOException(index + ": weight_map." + e.getKey()
                        + " must name a .safetensors file in the same folder, got " + e.getValue());
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Located locate(String name) {
        return tensors.get(name);
    }

    /**
     * Copies one tensor into a new array on {@code manager} in the storage type: FLOAT32, FLOAT16, or
     * null for the file's own 16-bit or 32-bit width. BF16 becomes FLOAT16, which holds every BF16
     * value between 6e-5 and 65504 exactly (DJL's PyTorch engine aborts the process on BF16 arrays);
     * a BF16 tensor with values beyond FP16's range is kept in FLOAT32 instead.
     */
    public NDArray read(String name, NDManager manager, DataType storage) throws IOException {
        Located at = tensors.get(name);
        if (at == null) {
            throw new IOException(dir + ": the checkpoint has no tensor '" + name + "'");
        }
        SafetensorsTable.Entry e = at.entry();
        Shape shape = new Shape(Arrays.stream(e.shape()).asLongStream().toArray());
        try (FileChannel ch = FileChannel.open(at.file(), StandardOpenOption.READ)) {
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.length()).order(ByteOrder.LITTLE_ENDIAN);
            return switch (e.dtype()) {
                case F32 -> copy(manager, buf, shape, DataType.FLOAT32, storage);
                case F16 -> copy(manager, buf, shape, DataType.FLOAT16, storage);
                case BF16 -> fromBf16(manager, buf.asShortBuffer(), shape, storage);
            };
        }
    }

    /** The file's bytes as an array of {@code fileType}, converted to {@code storage}; never shares the mapping. */
    private static NDArray copy(NDManager manager, ByteBuffer buf, Shape shape, DataType fileType, DataType storage) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray mapped = scratch.create(buf, shape, fileType);
            NDArray out = storage == null || storage == fileType ? mapped.duplicate() : mapped.toType(storage, true);
            out.attach(manager);
            return out;
        }
    }

    private static NDArray fromBf16(NDManager manager, ShortBuffer bits, Shape shape, DataType storage) {
        int n = bits.remaining();
        if (storage != DataType.FLOAT32) {
            ByteBuffer half = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.nativeOrder());
            boolean fits = true;
            for (int i = 0; i < n && fits; i++) {
                float v = HalfPrecision.fromBf16(bits.get(i));
                fits = Math.abs(v) <= HalfPrecision.F16_MAX || !Float.isFinite(v);
                half.putShort(HalfPrecision.toF16(v));
            }
            if (fits) {
                return copy(manager, half.flip(), shape, DataType.FLOAT16, null);
            }
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = HalfPrecision.fromBf16(bits.get(i));
        }
        return manager.create(values, shape);
    }

    /** The tensor's element type as DJL names it. */
    public static DataType dataType(DType t) {
        return switch (t) {
            case F32 -> DataType.FLOAT32;
            case F16, BF16 -> DataType.FLOAT16;
        };
    }
}
