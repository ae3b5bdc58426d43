package io.fedtt.core.federation.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A {@link RoundStore} in memory: for tests and runs that need no restart. */
public final class MemoryRoundStore implements RoundStore {

    private byte[] state;
    private final Map<Integer, byte[]> globals = new HashMap<>();
    private final Map<Integer, byte[]> history = new HashMap<>();
    private final Map<Integer, TreeMap<String, StoredUpdate>> updates = new HashMap<>();

    @Override
    public synchronized Optional<byte[]> loadState() {
        return Optional.ofNullable(state).map(byte[]::clone);
    }

    @Override
    public synchronized void saveState(byte[] snapshot) {
        state = snapshot.clone();
    }

    @Override
    public synchronized void putHistory(int index, byte[] record) {
        history.put(index, record.clone());
    }

    @Override
    public synchronized List<byte[]> history(int count) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] r = history.get(i);
            if (r == null) {
                throw new StoreCorruptedException("memory store has no history entry " + i);
            }
            out.add(r.clone());
        }
        return out;
    }

    @Override
    public synchronized void putGlobal(int version, byte[] encoded, String sha256) {
        globals.put(version, encoded.clone());
    }

    @Override
    public synchronized byte[] global(int version) {
        byte[] g = globals.get(version);
        if (g == null) {
            throw new StoreCorruptedException("memory store has no global adapter version " + version);
        }
        return g.clone();
    }

    @Override
    public synchronized void putUpdate(int round, String participant, byte[] encoded, String sha256) {
        updates.computeIfAbsent(round, r -> new TreeMap<>())
                .put(participant, new StoredUpdate(participant, encoded.clone(), sha256));
    }

    @Override
    public synchronized List<StoredUpdate> updates(int round) {
        return new ArrayList<>(updates.getOrDefault(round, new TreeMap<>()).values());
    }

    @Override
    public synchronized void deleteUpdate(int round, String participant) {
        TreeMap<String, StoredUpdate> m = updates.get(round);
        if (m != null) {
            m.remove(participant);
        }
    }

    @Override
    public synchronized void pruneUpdatesBefore(int round) {
        updates.keySet().removeIf(r -> r < round);
    }

    @Override
    public String describe() {
        return "memory store";
    }
}
