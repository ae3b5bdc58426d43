package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.SafetensorsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A coordinator's durability: what it writes to its {@link RoundStore} and how it reads it back
 * after a restart. Writes, in the order that keeps a crash at any point recoverable: an update
 * before its acknowledgement; a new global adapter version and the round's history entry before
 * the snapshot that counts them; the snapshot after every transition. Reads check each piece
 * against the snapshot and name the damaged file in a {@link StoreCorruptedException}.
 */
final class CoordinatorPersistence {

    private static final System.Logger LOG = System.getLogger(CoordinatorPersistence.class.getName());

    private final FederationJobSpec spec;
    private final RoundStore store;
    private final boolean keepUpdates;

    /** What a store held: the snapshot, the history it counts, and the global adapter it names. */
    record Restored(CoordinatorSnapshot snapshot, List<RoundRecord> history, GlobalVersion global) {
    }

    /** Receives each stored update of the open round, validated, in participant order. */
    interface UpdateSink {
        void accept(String participant, String sha256, UpdateValidator.Valid update);
    }

    CoordinatorPersistence(FederationJobSpec spec, RoundStore store, boolean keepUpdates) {
        this.spec = spec;
        this.store = store;
        this.keepUpdates = keepUpdates;
    }

    // ================================================================ writes

    void save(CoordinatorSnapshot snapshot) {
        store.saveState(snapshot.toJson());
    }

    /** Stores history entry {@code index}; done before the snapshot that counts it is saved. */
    void appendHistory(int index, RoundRecord record) {
        store.putHistory(index, CoordinatorSnapshot.recordToJson(record));
    }

    void putGlobal(GlobalVersion v) {
        store.putGlobal(v.version(), v.bytes(), v.digest());
    }

    void putUpdate(int round, String participant, byte[] body, String sha256) {
        store.putUpdate(round, participant, body, sha256);
    }

    void deleteUpdate(int round, String participant) {
        store.deleteUpdate(round, participant);
    }

    /** Forgets updates of rounds before {@code before} unless they are kept for audit; failures are only logged. */
    void pruneQuietly(int before) {
        if (keepUpdates) {
            return;
        }
        try {
            store.pruneUpdatesBefore(before);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": cannot prune old update files", e);
        }
    }

    // ================================================================ reads

    /**
     * The saved state, if the job ran before: the snapshot, its history and its global adapter.
     *
     * @throws StoreCorruptedException if a piece is damaged, missing or belongs to another job
     */
    Optional<Restored> restore() {
        Optional<byte[]> saved = store.loadState();
        if (saved.isEmpty()) {
            return Optional.empty();
        }
        CoordinatorSnapshot s = CoordinatorSnapshot.fromJson(saved.get(), store.describe());
        if (!spec.job().toString().equals(s.job())) {
            throw new StoreCorruptedException("store " + store.describe() + " holds job " + s.job() + ", not " + spec.job());
        }
        return Optional.of(new Restored(s, history(s.historySize()), global(s.completedRounds(), s.globalDigest())));
    }

    private List<RoundRecord> history(int size) {
        List<byte[]> records = store.history(size);
        List<RoundRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                out.add(CoordinatorSnapshot.recordFromJson(records.get(i), store.describe()));
            } catch (IllegalArgumentException e) {
                throw new StoreCorruptedException("store " + store.describe() + ": history entry " + i + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private GlobalVersion global(int version, String expectedDigest) {
        byte[] bytes = store.global(version);
        String digest = Digest.sha256Hex(bytes);
        if (!digest.equals(expectedDigest)) {
            throw new StoreCorruptedException("store " + store.describe() + ": global adapter version " + version
                    + " has sha256 " + digest + " but the saved state expects " + expectedDigest);
        }
        AdapterState adapter;
        try {
            adapter = SafetensorsCodec.decode(bytes);
        } catch (SafetensorsException e) {
            throw new StoreCorruptedException("store " + store.describe() + ": global adapter version " + version
                    + " does not decode: " + e.getMessage(), e);
        }
        return new GlobalVersion(version, adapter, bytes, digest);
    }

    /**
     * Re-feeds the updates acknowledged in the open round before the restart, each once: those of
     * participants still selected are validated again and handed to {@code sink}; others (stored
     * while the round was being closed or re-sampled) are deleted. Then prunes older rounds' updates.
     *
     * @throws StoreCorruptedException if a stored update no longer validates
     */
    void refeed(Set<String> selected, UpdateValidator.Expected expected, UpdateSink sink) {
        int round = expected.round();
        for (RoundStore.StoredUpdate u : store.updates(round)) {
            if (!selected.contains(u.participant())) {
                store.deleteUpdate(round, u.participant());
                continue;
            }
            UpdateValidator.Valid valid;
            try {
                valid = UpdateValidator.validate(u.bytes(), expected);
            } catch (Rejection e) {
                throw new StoreCorruptedException("store " + store.describe() + ": stored update of '" + u.participant()
                        + "' for round " + round + " is invalid: " + e.getMessage());
            }
            sink.accept(u.participant(), u.sha256(), valid);
        }
        if (!keepUpdates) {
            store.pruneUpdatesBefore(round);
        }
    }
}
