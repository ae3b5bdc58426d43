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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks an uploaded update against what its round expects, before it may count: a well-formed
 * safetensors file in the job's wire dtype, holding exactly the round's trainable tensors with the
 * global adapter's shapes, finite values, and metadata with a positive example count no larger than
 * the job lets one update claim. Every failure
 * is a {@link Rejection.Kind#INVALID} whose message names the tensor or key and what is wrong.
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
                           long maxExamples) {

        /** Without a job-specific claim limit: only {@link UpdateInfo#MAX_EXAMPLES} applies. */
        public Expected(int round, AdapterState global, TrainableMask mask, DType wire, long maxBytes) {
            this(round, global, mask, wire, maxBytes, UpdateInfo.MAX_EXAMPLES);
        }
    }

    /** A valid update: its tensors (the trainable ones) and its report. */
    public record Valid(AdapterState update, UpdateInfo info) {
    }

    private UpdateValidator() {
    }

    public static Valid validate(byte[] body, Expected e) {
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
            if (!e.mask().isTrainable(name)) {
                throw invalid("tensor '" + name + "' is frozen in round " + e.round() + " and must not be uploaded");
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
