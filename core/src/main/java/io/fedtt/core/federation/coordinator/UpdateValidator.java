package io.fedtt.core.federation.coordinator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.SafetensorsException;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.wire.Encoding;
import io.fedtt.core.wire.PackedBody;
import io.fedtt.core.wire.PackedCodec;
import io.fedtt.core.wire.PackedFormatException;
import io.fedtt.core.wire.WireLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks an uploaded update against what its round expects, before it may count: a well-formed
 * packed body ({@link PackedCodec}: the job's layout digest and encoding; values in float32, deltas
 * from the round's global in a lossy encoding) or a plain safetensors file in the job's safetensors
 * dtype, holding exactly the round's trainable tensors with the global adapter's shapes, finite
 * values (after a delta is added to the global, too), and metadata with a positive example count no
 * larger than the job lets one update claim. Every failure is a {@link Rejection.Kind#INVALID} whose
 * message names the tensor, field or key and what is wrong. A valid update is always the tensors'
 * new values, whatever travelled, so aggregation never sees the wire format.
 */
public final class UpdateValidator {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * What round {@code round} expects.
     *
     * @param maxExamples the most training examples the uploading participant may claim in
     *     {@code fedtt.examples} (its aggregation weight is that times its configured weight)
     */
    public record Expected(int round, AdapterState global, TrainableMask mask, DType wire, long maxBytes,
                           long maxExamples, Encoding encoding, WireLayout layout) {

        /** Without a job-specific claim limit: only {@link UpdateInfo#MAX_EXAMPLES} applies. */
        public Expected(int round, AdapterState global, TrainableMask mask, DType wire, long maxBytes) {
            this(round, global, mask, wire, maxBytes, UpdateInfo.MAX_EXAMPLES);
        }

        /** The encoding of {@code wire}, the layout of {@code global}. */
        public Expected(int round, AdapterState global, TrainableMask mask, DType wire, long maxBytes, long maxExamples) {
            this(round, global, mask, wire, maxBytes, maxExamples, Encoding.of(wire), WireLayout.of(global));
        }
    }

    /** A valid update: its tensors (the trainable ones) and its report. */
    public record Valid(AdapterState update, UpdateInfo info) {
    }

    private UpdateValidator() {
    }

    public static Valid validate(byte[] body, Expected e) {
        AdapterState update = PackedCodec.isPacked(body) ? readPacked(body, e) : readSafetensors(body, e);
        for (String name : update.names()) {
            if (!e.global().contains(name)) {
                throw invalid("tensor '" + name + "' is not part of this job's adapter");
            }
            if (!e.mask().isTrainable(name)) {
                throw invalid("tensor '" + name + "' is frozen in round " + e.round() + " and must not be uploaded");
            }
        }
        for (String name : e.mask().trainable()) {
            if (!update.contains(name)) {
                throw invalid("tensor '" + name + "' is trainable in round " + e.round() + " but missing from the update");
            }
        }
        UpdateInfo info;
        try {
            info = UpdateInfo.fromMetadata(update.metadata());
        } catch (IllegalArgumentException ex) {
            throw invalid(ex.getMessage());
        }
        if (info.examples() > e.maxExamples()) {
            throw invalid("metadata '" + UpdateInfo.EXAMPLES + "' claims " + info.examples()
                    + " training examples; this job allows at most " + e.maxExamples()
                    + " per update (spec.method.aggregation.maxExamplesPerUpdate)");
        }
        return new Valid(update, info);
    }

    /**
     * A packed update: values (float32) or deltas from the round's global (lossy encodings, which
     * the client's error feedback keeps unbiased over the rounds), turned into values here.
     */
    private static AdapterState readPacked(byte[] body, Expected e) {
        PackedBody p;
        try {
            p = PackedCodec.decode(body, e.layout(), e.maxBytes());
        } catch (PackedFormatException ex) {
            throw invalid(ex.getMessage());
        }
        if (p.encoding() != e.encoding()) {
            throw invalid("packed body: field 'encoding' is " + p.encoding().wireName() + ", this job's encoding is "
                    + e.encoding().wireName() + " (spec.communication.encoding)");
        }
        PackedBody.Kind kind = e.encoding().lossy() ? PackedBody.Kind.DELTA : PackedBody.Kind.VALUES;
        if (p.kind() != kind) {
            throw invalid("packed body: field 'kind' is " + p.kind() + "; " + e.encoding().wireName()
                    + " updates carry " + kind);
        }
        if (kind == PackedBody.Kind.VALUES) {
            return p.tensors();
        }
        Map<String, Tensor> values = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> t : p.tensors().tensors().entrySet()) {
            String name = t.getKey();
            if (!e.global().contains(name)) {
                throw invalid("tensor '" + name + "' is not part of this job's adapter");
            }
            float[] base = e.global().get(name).data();
            float[] delta = t.getValue().data();
            if (base.length != delta.length) {
                throw invalid("tensor '" + name + "' has " + delta.length + " values, the adapter's has " + base.length);
            }
            float[] v = new float[base.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = base[i] + delta[i];
                if (!Float.isFinite(v[i])) {
                    throw invalid("tensor '" + name + "': element " + i + " is " + v[i]
                            + " after adding the delta to the global (must be finite)");
                }
            }
            values.put(name, new Tensor(t.getValue().shape(), v));
        }
        return new AdapterState(values, p.tensors().metadata());
    }

    private static AdapterState readSafetensors(byte[] body, Expected e) {
        if (e.encoding().safetensorsType() == null) {
            throw invalid("this job's encoding is " + e.encoding().wireName()
                    + ", which only the packed wire format carries; this body is not packed");
        }
        AdapterState update;
        try {
            update = SafetensorsCodec.decode(body, SafetensorsCodec.Limits.DEFAULT.withMaxBytes(e.maxBytes()));
        } catch (SafetensorsException ex) {
            throw invalid("not a valid safetensors update: " + ex.getMessage());
        }
        checkDtypes(body, e);
        for (Map.Entry<String, Tensor> t : update.tensors().entrySet()) {
            String name = t.getKey();
            if (!e.global().contains(name)) {
                throw invalid("tensor '" + name + "' is not part of this job's adapter");
            }
            Tensor expected = e.global().get(name);
            if (!expected.sameShape(t.getValue())) {
                throw invalid("tensor '" + name + "' has shape " + Arrays.toString(t.getValue().shape())
                        + ", the adapter's is " + Arrays.toString(expected.shape()));
            }
            float[] d = t.getValue().data();
            for (int i = 0; i < d.length; i++) {
                if (!Float.isFinite(d[i])) {
                    throw invalid("tensor '" + name + "': element " + i + " is " + d[i] + " (must be finite)");
                }
            }
        }
        return update;
    }

    /**
     * The codec widens every dtype to F32, so the wire dtype is read from the (already validated)
     * header with a streaming scan: an update must use the job's wire dtype, as the global adapter does.
     */
    private static void checkDtypes(byte[] body, Expected e) {
        long n = ByteBuffer.wrap(body, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String wire = e.wire().name();
        try (JsonParser p = JSON.createParser(body, 8, (int) n)) {
            String tensor = null;
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT -> depth++;
                    case END_OBJECT -> depth--;
                    case FIELD_NAME -> {
                        if (depth == 1) {
                            tensor = p.currentName();
                        } else if (depth == 2 && "dtype".equals(p.currentName()) && !"__metadata__".equals(tensor)) {
                            p.nextToken();
                            if (!wire.equals(p.getText())) {
                                throw invalid("tensor '" + tensor + "' has dtype " + p.getText()
                                        + ", this job's wire dtype is " + wire);
                            }
                        }
                    }
                    default -> {
                        // values: nothing to check
                    }
                }
            }
        } catch (IOException ex) {
            throw invalid("unreadable safetensors header: " + ex.getMessage());
        }
    }

    private static Rejection invalid(String message) {
        return new Rejection(Rejection.Kind.INVALID, message);
    }
}
