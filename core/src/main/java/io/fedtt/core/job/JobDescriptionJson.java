package io.fedtt.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.wire.Encoding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a {@link JobDescription}, written and read in one place. Reading is strict: the
 * format version must be {@link JobDescription#FORMAT_VERSION}, every field is required unless marked
 * optional below, and an unknown field is an error (a newer operator's description is refused rather
 * than half understood). Errors name the field by its path, e.g. {@code model.architecture.hiddenSize}.
 *
 * <pre>
 * {"formatVersion":1,"job":"ns/name","seed":0,
 *  "model":{"uri":"builtin:all-minilm-l6-v2","sha256":null,"revision":null,"task":"sequence-classification",
 *           "labels":["ham","spam"],"maxSequenceLength":128,
 *           "architecture":{"family":"BERT","hiddenSize":384,"numLayers":6,"intermediateSize":1536,"numHeads":12,
 *                           "vocabSize":30522,"maxPositions":512,"typeVocabSize":2}},
 *  "adapter":{"type":"TT","ttRank":5,"bottleneck":64,"modes":{},"init":"IDENTITY","trainLayerNorm":true,
 *             "loraRank":8,"loraTargets":["query","value"],"loraAlpha":16.0,"scaling":1.0,"head":"LINEAR"},
 *  "data":{"textField":"text","labelField":"label","promptField":"prompt","responseField":"response","format":"AUTO"},
 *  "participant":{"kind":"silo","name":"a","train":"file:a.jsonl","eval":null}
 *             or {"kind":"devices","train":"...","eval":null,"count":100,"workers":2,
 *                 "partition":{"by":"DIRICHLET","alpha":0.5,"field":null}},
 *  "training":{"warmupRatio":0.0,"weightDecay":0.0,"headRateFactor":10.0,"encoding":"float32"}}
 * </pre>
 * Optional (may be null or absent): model.sha256, model.revision, participant.eval, partition.field;
 * model.architecture.numKeyValueHeads (default numHeads), .tieWordEmbeddings and .attentionBias (default
 * false), adapter.ttProjections (default []), data.promptField and data.responseField (default
 * {@link JobDefaults#PROMPT_FIELD} and {@link JobDefaults#RESPONSE_FIELD}). The writer leaves these six out
 * at their defaults, so a job that does not use them reads the same in a worker that predates them.
 *
 * <p>model.task is {@value JobDescription#TASK_SEQUENCE_CLASSIFICATION} or {@value JobDescription#TASK_CAUSAL_LM};
 * a causal-lm description has {@code "labels":[]} (always written: the field is required) and a LLAMA-family
 * architecture.
 */
public final class JobDescriptionJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JobDescriptionJson() {
    }

    public static String write(JobDescription d) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", JobDescription.FORMAT_VERSION);
        root.put("job", d.job().toString());
        root.put("seed", d.seed());
        ObjectNode model = root.putObject("model");
        JobDescription.Model m = d.model();
        model.put("uri", m.uri());
        model.put("sha256", m.sha256());
        model.put("revision", m.revision());
        model.put("task", m.task());
        ArrayNode labels = model.putArray("labels");
        m.labels().forEach(labels::add);
        model.put("maxSequenceLength", m.maxSequenceLength());
        ObjectNode arch = model.putObject("architecture");
        ModelConfig a = m.architecture();
        arch.put("family", a.family().name());
        arch.put("hiddenSize", a.hiddenSize());
        arch.put("numLayers", a.numLayers());
        arch.put("intermediateSize", a.intermediateSize());
        arch.put("numHeads", a.numHeads());
        if (a.numKeyValueHeads() != a.numHeads()) {
            arch.put("numKeyValueHeads", a.numKeyValueHeads());
        }
        arch.put("vocabSize", a.vocabSize());
        arch.put("maxPositions", a.maxPositions());
        arch.put("typeVocabSize", a.typeVocabSize());
        if (a.tieWordEmbeddings()) {
            arch.put("tieWordEmbeddings", true);
        }
        if (a.attentionBias()) {
            arch.put("attentionBias", true);
        }
        ObjectNode adapter = root.putObject("adapter");
        AdapterConfig c = d.adapter();
        adapter.put("type", c.type().name());
        adapter.put("ttRank", c.ttRank());
        adapter.put("bottleneck", c.bottleneck());
        ObjectNode modes = adapter.putObject("modes");
        c.modes().forEach((k, v) -> {
            ArrayNode list = modes.putArray(k);
            v.forEach(list::add);
        });
        adapter.put("init", c.init().name());
        adapter.put("trainLayerNorm", c.trainLayerNorm());
        if (!c.ttProjections().isEmpty()) {
            ArrayNode projections = adapter.putArray("ttProjections");
            c.ttProjections().forEach(projections::add);
        }
        adapter.put("loraRank", c.loraRank());
        ArrayNode targets = adapter.putArray("loraTargets");
        c.loraTargets().forEach(targets::add);
        adapter.put("loraAlpha", c.loraAlpha());
        adapter.put("scaling", c.scaling());
        adapter.put("head", c.head().name());
        if (c.adapterBias() != AdapterConfig.AdapterBias.BOTH) {
            adapter.put("adapterBias", c.adapterBias().name());
        }
        ObjectNode data = root.putObject("data");
        data.put("textField", d.data().textField());
        data.put("labelField", d.data().labelField());
        if (!d.data().promptField().equals(JobDefaults.PROMPT_FIELD)) {
            data.put("promptField", d.data().promptField());
        }
        if (!d.data().responseField().equals(JobDefaults.RESPONSE_FIELD)) {
            data.put("responseField", d.data().responseField());
        }
        data.put("format", d.data().format().name());
        ObjectNode p = root.putObject("participant");
        if (d.participant() instanceof JobDescription.Silo s) {
            p.put("kind", "silo");
            p.put("name", s.name());
            p.put("train", s.train());
            p.put("eval", s.eval());
        } else if (d.participant() instanceof JobDescription.Devices v) {
            p.put("kind", "devices");
            p.put("train", v.train());
            p.put("eval", v.eval());
            p.put("count", v.count());
            p.put("workers", v.workers());
            ObjectNode part = p.putObject("partition");
            part.put("by", v.partition().rule().name());
            part.put("alpha", v.partition().alpha());
            part.put("field", v.partition().field());
        }
        ObjectNode training = root.putObject("training");
        training.put("warmupRatio", d.training().warmupRatio());
        training.put("weightDecay", d.training().weightDecay());
        training.put("headRateFactor", d.training().headRateFactor());
        training.put("encoding", d.training().encoding().wireName());
        if (d.training().logitAdjustment() > 0) {
            // only when on: an older worker refuses the unknown field rather than train without it
            training.put("logitAdjustment", d.training().logitAdjustment());
        }
        if (d.training().localPrivacy() != null) {
            // an older worker refuses this unknown field instead of uploading unnoised updates
            ObjectNode dp = training.putObject("localPrivacy");
            dp.put("clipNorm", d.training().localPrivacy().clipNorm());
            dp.put("noiseMultiplier", d.training().localPrivacy().noiseMultiplier());
            dp.put("delta", d.training().localPrivacy().delta());
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain values always serialises
        }
    }

    /**
     * @throws InvalidJobDescriptionException naming the field that is missing, unknown or wrong
     */
    public static JobDescription read(String json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidJobDescriptionException("not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidJobDescriptionException("expected a JSON object");
        }
        Obj root = new Obj(tree, "");
        int version = root.integer("formatVersion");
        if (version != JobDescription.FORMAT_VERSION) {
            throw new InvalidJobDescriptionException("formatVersion " + version + " is not supported (this worker reads "
                    + JobDescription.FORMAT_VERSION + "); run a worker image of the operator's version");
        }
        try {
            String jobText = root.text("job");
            JobId job = root.build(() -> JobId.parse(jobText));
            long seed = root.longValue("seed");
            Obj m = root.object("model");
            Obj a = m.object("architecture");
            List<String> labels = m.strings("labels");
            ModelConfig arch = a.build(() -> {
                int heads = a.integer("numHeads");
                return new ModelConfig(a.enumValue("family", ModelConfig.Family.class), a.integer("hiddenSize"),
                        a.integer("numLayers"), a.integer("intermediateSize"), heads,
                        a.optionalInteger("numKeyValueHeads", heads), a.integer("vocabSize"), a.integer("maxPositions"),
                        a.integer("typeVocabSize"), a.optionalBool("tieWordEmbeddings", false),
                        a.optionalBool("attentionBias", false), labels.size());
            });
            JobDescription.Model model = m.build(() -> new JobDescription.Model(m.text("uri"), m.optionalText("sha256"),
                    m.optionalText("revision"), m.text("task"), labels, m.integer("maxSequenceLength"), arch));
            m.done();
            a.done();
            Obj c = root.object("adapter");
            Obj modesNode = c.object("modes");
            Map<String, List<Integer>> modes = new LinkedHashMap<>();
            for (String key : modesNode.names()) {
                modes.put(key, modesNode.integers(key));
            }
            modesNode.done();
            AdapterConfig adapter = c.build(() -> new AdapterConfig(c.enumValue("type", AdapterConfig.Type.class),
                    c.integer("ttRank"), c.integer("bottleneck"), modes, c.enumValue("init", AdapterConfig.Init.class),
                    c.bool("trainLayerNorm"), c.optionalStrings("ttProjections"), c.integer("loraRank"),
                    c.strings("loraTargets"), c.number("loraAlpha"),
                    c.number("scaling"), c.enumValue("head", AdapterConfig.Head.class),
                    c.optionalEnum("adapterBias", AdapterConfig.AdapterBias.class, AdapterConfig.AdapterBias.BOTH)));
            c.done();
            Obj d = root.object("data");
            JobDescription.Data data = d.build(() -> new JobDescription.Data(d.text("textField"), d.text("labelField"),
                    d.optionalText("promptField", JobDefaults.PROMPT_FIELD),
                    d.optionalText("responseField", JobDefaults.RESPONSE_FIELD), d.enumValue("format", DataFormat.class)));
            d.done();
            JobDescription.Participant participant = participant(root.object("participant"));
            Obj t = root.object("training");
            Obj dp = t.optionalObject("localPrivacy");
            DifferentialPrivacy localPrivacy = dp == null ? null : dp.build(() -> new DifferentialPrivacy(
                    DifferentialPrivacy.Mode.LOCAL, dp.number("clipNorm"), dp.number("noiseMultiplier"), dp.number("delta"),
                    Double.NaN));
            if (dp != null) {
                dp.done();
            }
            JobDescription.Training training = t.build(() -> new JobDescription.Training(t.number("warmupRatio"),
                    t.number("weightDecay"), t.number("headRateFactor"),
                    Encoding.parse(t.optionalText("encoding", Encoding.FLOAT32.wireName())), // absent from older operators
                    localPrivacy, t.optionalNumber("logitAdjustment", 0)));
            t.done();
            root.done();
            return new JobDescription(job, model, adapter, seed, data, participant, training);
        } catch (IllegalArgumentException | NullPointerException e) {
            if (e instanceof InvalidJobDescriptionException) {
                throw e;
            }
            throw new InvalidJobDescriptionException(e.getMessage());
        }
    }

    private static JobDescription.Participant participant(Obj p) {
        String kind = p.text("kind");
        JobDescription.Participant out = switch (kind) {
            case "silo" -> p.build(() -> new JobDescription.Silo(p.text("name"), p.text("train"), p.optionalText("eval")));
            case "devices" -> {
                Obj part = p.object("partition");
                JobDescription.Partition partition = part.build(() -> new JobDescription.Partition(
                        part.enumValue("by", JobDescription.Partition.Rule.class), part.number("alpha"),
                        part.optionalText("field")));
                part.done();
                yield p.build(() -> new JobDescription.Devices(p.text("train"), p.optionalText("eval"), p.integer("count"),
                        p.integer("workers"), partition));
            }
            default -> throw new InvalidJobDescriptionException("participant.kind must be silo or devices, got '"
                    + kind + "'");
        };
        p.done();
        return out;
    }

    /** One JSON object being read: remembers which fields were read, so that the rest can be refused as unknown. */
    private static final class Obj {
        private final JsonNode node;
        private final String path;
        private final Set<String> read = new java.util.HashSet<>();

        Obj(JsonNode node, String path) {
            this.node = node;
            this.path = path;
        }

        private String at(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        private JsonNode get(String field, boolean optional) {
            read.add(field);
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                if (optional) {
                    return null;
                }
                throw new InvalidJobDescriptionException(at(field) + " is required");
            }
            return v;
        }

        Obj object(String field) {
            JsonNode v = get(field, false);
            if (!v.isObject()) {
                throw new InvalidJobDescriptionException(at(field) + " must be an object");
            }
            return new Obj(v, at(field));
        }

        /** An optional nested object: null when absent. */
        Obj optionalObject(String field) {
            JsonNode v = get(field, true);
            if (v == null) {
                return null;
            }
            if (!v.isObject()) {
                throw new InvalidJobDescriptionException(at(field) + " must be an object");
            }
            return new Obj(v, at(field));
        }

        List<String> names() {
            List<String> out = new ArrayList<>();
            node.fieldNames().forEachRemaining(out::add);
            return out;
        }

        String text(String field) {
            JsonNode v = get(field, false);
            if (!v.isTextual()) {
                throw new InvalidJobDescriptionException(at(field) + " must be a string");
            }
            return v.asText();
        }

        String optionalText(String field) {
            JsonNode v = get(field, true);
            if (v != null && !v.isTextual()) {
                throw new InvalidJobDescriptionException(at(field) + " must be a string");
            }
            return v == null ? null : v.asText();
        }

        String optionalText(String field, String fallback) {
            String v = optionalText(field);
            return v == null ? fallback : v;
        }

        int integer(String field) {
            JsonNode v = get(field, false);
            if (!v.isInt()) {
                throw new InvalidJobDescriptionException(at(field) + " must be an integer, got " + v);
            }
            return v.intValue();
        }

        int optionalInteger(String field, int fallback) {
            JsonNode v = get(field, true);
            if (v == null) {
                return fallback;
            }
            if (!v.isInt()) {
                throw new InvalidJobDescriptionException(at(field) + " must be an integer, got " + v);
            }
            return v.intValue();
        }

        long longValue(String field) {
            JsonNode v = get(field, false);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new InvalidJobDescriptionException(at(field) + " must be an integer, got " + v);
            }
            return v.longValue();
        }

        double number(String field) {
            JsonNode v = get(field, false);
            if (!v.isNumber()) {
                throw new InvalidJobDescriptionException(at(field) + " must be a number, got " + v);
            }
            return v.doubleValue();
        }

        double optionalNumber(String field, double fallback) {
            return get(field, true) == null ? fallback : number(field);
        }

        boolean bool(String field) {
            JsonNode v = get(field, false);
            if (!v.isBoolean()) {
                throw new InvalidJobDescriptionException(at(field) + " must be true or false, got " + v);
            }
            return v.booleanValue();
        }

        boolean optionalBool(String field, boolean fallback) {
            JsonNode v = get(field, true);
            if (v == null) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new InvalidJobDescriptionException(at(field) + " must be true or false, got " + v);
            }
            return v.booleanValue();
        }

        <E extends Enum<E>> E enumValue(String field, Class<E> type) {
            String s = text(field);
            try {
                return Enum.valueOf(type, s);
            } catch (IllegalArgumentException e) {
                throw new InvalidJobDescriptionException(at(field) + " '" + s + "' is not one of "
                        + java.util.Arrays.toString(type.getEnumConstants()));
            }
        }

        <E extends Enum<E>> E optionalEnum(String field, Class<E> type, E fallback) {
            return get(field, true) == null ? fallback : enumValue(field, type);
        }

        /** An optional list of strings: empty when absent or null. */
        List<String> optionalStrings(String field) {
            return node.get(field) == null || node.get(field).isNull() ? markRead(field) : strings(field);
        }

        private List<String> markRead(String field) {
            read.add(field);
            return List.of();
        }

        List<String> strings(String field) {
            JsonNode v = get(field, false);
            if (!v.isArray()) {
                throw new InvalidJobDescriptionException(at(field) + " must be a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw new InvalidJobDescriptionException(at(field) + " must be a list of strings, got " + e);
                }
                out.add(e.asText());
            }
            return out;
        }

        List<Integer> integers(String field) {
            JsonNode v = get(field, false);
            if (!v.isArray()) {
                throw new InvalidJobDescriptionException(at(field) + " must be a list of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isInt()) {
                    throw new InvalidJobDescriptionException(at(field) + " must be a list of integers, got " + e);
                }
                out.add(e.intValue());
            }
            return out;
        }

        /** Runs a constructor, prefixing its complaint with this object's path. */
        <T> T build(java.util.function.Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (InvalidJobDescriptionException e) {
                throw e;
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidJobDescriptionException((path.isEmpty() ? "" : path + ": ") + e.getMessage());
            }
        }

        /** Refuses the fields nobody read. */
        void done() {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!read.contains(f)) {
                    throw new InvalidJobDescriptionException(at(f) + " is not a known field");
                }
            }
        }
    }
}
