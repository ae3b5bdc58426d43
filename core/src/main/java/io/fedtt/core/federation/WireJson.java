package io.fedtt.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.wire.Encoding;
import io.fedtt.core.wire.WireLayout;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON bodies of the federation protocol, written and read in one place so that server and
 * client cannot drift apart.
 *
 * <pre>
 * task, work:    {"status":"work","job":"ns/name","round":3,"attempt":0,"totalRounds":10,
 *                 "adapterDigest":"&lt;sha256&gt;","adapterPath":"/v1/jobs/ns/name/rounds/3/adapter",
 *                 "trainable":["..."],"localSteps":10,"localEpochs":0,"batchSize":16,"learningRate":1e-4,
 *                 "proximalMu":0.0,"seed":123,"deadline":"2026-01-01T00:00:00Z","deadlineEpochMillis":...,"wireDType":"F32",
 *                 "encoding":"int8","packedDigest":"&lt;sha256&gt;"}
 *                (a client that sent its layout digest gets "trainableMask":"&lt;base64url bitmap over the layout&gt;"
 *                 instead of the list of names)
 * task, waiting: {"status":"waiting","round":3}
 * task, done:    {"status":"done","phase":"SUCCEEDED","reason":"RoundsCompleted: ...","finalVersion":10,
 *                 "adapterDigest":"&lt;sha256&gt;"}
 * upload ack:    {"round":3,"participant":"silo-a","digest":"&lt;sha256&gt;","duplicate":false,"received":2,"selected":4}
 * error:         {"status":422,"error":"INVALID","message":"tensor 'x' has shape [2, 3], the adapter's is [3, 2]"}
 * </pre>
 */
public final class WireJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private WireJson() {
    }

    public static String jobPath(JobId job) {
        return "/v1/jobs/" + job.namespace() + "/" + job.name();
    }

    public static byte[] task(TaskAnswer answer) {
        if (answer instanceof TaskAnswer.Work w) {
            return workTask(taskPrefix(w.task()), w.task().seed());
        }
        ObjectNode o = MAPPER.createObjectNode();
        if (answer instanceof TaskAnswer.Waiting w) {
            o.put("status", "waiting");
            o.put("round", w.currentRound());
        } else if (answer instanceof TaskAnswer.Done d) {
            o.put("status", "done");
            o.put("phase", d.phase().name());
            o.put("reason", d.reason());
            o.put("finalVersion", d.finalVersion());
            o.put("adapterDigest", d.adapterDigest());
        }
        return bytes(o);
    }

    /**
     * A work answer's JSON without its participant-specific {@code seed} and closing brace: the
     * same for every participant of a round try, so a server answering many clients serializes it
     * (with the often long list of trainable tensors) once. Complete it with {@link #workTask}.
     */
    public static byte[] taskPrefix(RoundTask t) {
        return taskPrefix(t, null);
    }

    /** As {@link #taskPrefix(RoundTask)}; with a layout, the trainable tensors as a bitmap over it. */
    public static byte[] taskPrefix(RoundTask t, WireLayout layout) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", "work");
        o.put("job", t.job());
        o.put("round", t.round());
        o.put("attempt", t.attempt());
        o.put("totalRounds", t.totalRounds());
        o.put("adapterDigest", t.adapterDigest());
        JobId id = JobId.parse(t.job());
        o.put("adapterPath", jobPath(id) + "/rounds/" + t.round() + "/adapter");
        if (layout != null) {
            o.put("trainableMask", layout.maskText(t.trainable()));
        } else {
            ArrayNode tr = o.putArray("trainable");
            t.trainable().forEach(tr::add);
        }
        o.put("localSteps", t.localSteps());
        o.put("localEpochs", t.localEpochs());
        o.put("batchSize", t.batchSize());
        o.put("learningRate", t.learningRate());
        o.put("proximalMu", t.proximalMu());
        o.put("deadline", Instant.ofEpochMilli(t.deadlineEpochMillis()).toString());
        o.put("deadlineEpochMillis", t.deadlineEpochMillis());
        o.put("wireDType", t.wireDType().name());
        o.put("encoding", t.encoding().wireName());
        o.put("packedDigest", t.packedDigest());
        if (t.secure()) {
            o.putObject("secureAggregation").put("threshold", t.secureThreshold());
        }
        byte[] full = bytes(o);
        return java.util.Arrays.copyOf(full, full.length - 1); // compact JSON ends with its closing brace
    }

    /** A work answer from its {@link #taskPrefix} and the participant's seed. */
    public static byte[] workTask(byte[] prefix, long seed) {
        byte[] tail = (",\"seed\":" + seed + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, out, prefix.length, tail.length);
        return out;
    }

    public static TaskAnswer readTask(byte[] body) {
        return readTask(body, null);
    }

    /**
     * Reads a task answer; {@code layout} expands a {@code trainableMask} into names.
     *
     * @throws IllegalArgumentException for a mask without a layout or one that does not fit it
     */
    public static TaskAnswer readTask(byte[] body, WireLayout layout) {
        JsonNode o = tree(body);
        String status = o.path("status").asText();
        switch (status) {
            case "work" -> {
                List<String> trainable = new ArrayList<>();
                o.path("trainable").forEach(n -> trainable.add(n.asText()));
                if (o.has("trainableMask")) {
                    List<String> names = layout == null ? null : layout.namesOfMask(o.path("trainableMask").asText());
                    if (names == null) {
                        throw new IllegalArgumentException("the task's trainableMask does not fit this client's adapter layout");
                    }
                    trainable.addAll(names);
                }
                String encoding = o.path("encoding").asText("");
                return new TaskAnswer.Work(new RoundTask(o.path("job").asText(), o.path("round").asInt(),
                        o.path("attempt").asInt(), o.path("totalRounds").asInt(), o.path("adapterDigest").asText(),
                        trainable, o.path("localSteps").asInt(), o.path("localEpochs").asInt(),
                        o.path("batchSize").asInt(), o.path("learningRate").asDouble(), o.path("seed").asLong(),
                        o.path("deadlineEpochMillis").asLong(), DType.valueOf(o.path("wireDType").asText()),
                        o.path("proximalMu").asDouble(0), // absent from older servers: no proximal term
                        encoding.isEmpty() ? null : Encoding.parse(encoding), o.path("packedDigest").asText(""),
                        o.path("secureAggregation").path("threshold").asInt(0)));
            }
            case "waiting" -> {
                return new TaskAnswer.Waiting(o.path("round").asInt());
            }
            case "done" -> {
                return new TaskAnswer.Done(JobPhase.valueOf(o.path("phase").asText()), o.path("reason").asText(),
                        o.path("finalVersion").asInt(), o.path("adapterDigest").asText());
            }
            default -> throw new IllegalArgumentException("task answer with unknown status '" + status + "'");
        }
    }

    public static byte[] error(int status, String kind, String message) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", status);
        o.put("error", kind);
        o.put("message", message);
        return bytes(o);
    }

    /** The message of an error body, or the body as text when it is not one. */
    public static String errorMessage(byte[] body) {
        try {
            JsonNode o = MAPPER.readTree(body);
            if (o != null && o.has("message")) {
                return o.get("message").asText();
            }
        } catch (IOException ignored) {
            // not JSON: fall through
        }
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode tree(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON from the federation endpoint: " + e.getMessage(), e);
        }
    }
}
