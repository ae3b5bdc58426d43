package io.fedtt.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face checkpoints written by older transformers versions carry integer buffers next to
 * the weights (an I64 {@code embeddings.position_ids}). The core's safetensors codec reads float
 * tensors only, so such buffers are cut out of the file first: the header is rewritten with
 * contiguous offsets and only the float tensors' bytes are kept. Any other non-float tensor is an
 * error naming it.
 */
final class CheckpointBuffers {

    private static final Set<String> FLOAT_TYPES = Set.of("F32", "F16", "BF16");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointBuffers() {
    }

    /** Buffers that models recompute and that are safe to drop. */
    static boolean isDroppableBuffer(String name) {
        return name.endsWith("position_ids") || name.endsWith("token_type_ids");
    }

    /** The file itself when every tensor is a float; otherwise a copy without the droppable buffers. */
    static byte[] withoutIntegerBuffers(byte[] file, String source) throws IOException {
        if (file.length < 8) {
            return file; // the codec reports truncation
        }
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > file.length - 8) {
            return file;
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return file; // malformed: let the codec name the problem
        }
        if (!(header instanceof ObjectNode obj)) {
            return file;
        }
        List<String> dropped = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode dtype = e.getValue().get("dtype");
            if (e.getKey().equals("__metadata__") || dtype == null || FLOAT_TYPES.contains(dtype.asText())) {
                continue;
            }
            if (!isDroppableBuffer(e.getKey())) {
                throw new IOException(source + ": tensor '" + e.getKey() + "' has dtype " + dtype.asText()
                        + "; model weights must be F32, F16 or BF16");
            }
            dropped.add(e.getKey());
        }
        if (dropped.isEmpty()) {
            return file;
        }
        dropped.forEach(obj::remove);
        int dataStart = 8 + (int) n;
        List<Map.Entry<String, JsonNode>> kept = new ArrayList<>();
        obj.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("__metadata__")) {
                kept.add(e);
            }
        });
        kept.sort(Comparator.comparingLong(e -> e.getValue().get("data_offsets").get(0).asLong()));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, JsonNode> e : kept) {
            JsonNode off = e.getValue().get("data_offsets");
            long begin = off.get(0).asLong();
            long end = off.get(1).asLong();
            if (begin < 0 || end < begin || dataStart + end > file.length) {
                return file; // inconsistent offsets: the codec reports them
            }
            long newBegin = data.size();
            data.write(file, dataStart + (int) begin, (int) (end - begin));
            ((ObjectNode) e.getValue()).putArray("data_offsets").add(newBegin).add(data.size());
        }
        byte[] newHeader = JSON.writeValueAsBytes(obj);
        ByteBuffer out = ByteBuffer.allocate(8 + newHeader.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(data.toByteArray());
        return out.array();
    }
}
