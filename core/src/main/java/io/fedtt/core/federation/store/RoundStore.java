package io.fedtt.core.federation.store;

import java.util.List;
import java.util.Optional;

/**
 * Durable state of one job: its coordinator snapshot, every global adapter version and the updates
 * accepted in rounds not yet aggregated. Every {@code put}/{@code save} returns only once the data
 * is durable, so the coordinator acknowledges an upload after it. Reads verify checksums and throw
 * {@link StoreCorruptedException} naming the file rather than hand back damaged bytes.
 */
public interface RoundStore {

    /** The last saved coordinator snapshot, if any. */
    Optional<byte[]> loadState();

    void saveState(byte[] snapshot);

    /**
     * Stores entry {@code index} of the round history (0-based), written once per round so that a
     * snapshot need not carry the whole history. Writing an index again replaces it.
     */
    void putHistory(int index, byte[] record);

    /** History entries 0..count-1; throws {@link StoreCorruptedException} if one is missing or damaged. */
    List<byte[]> history(int count);

    /** Stores global adapter {@code version} (the result of that many completed rounds), as encoded on the wire. */
    void putGlobal(int version, byte[] encoded, String sha256);

    /** Global adapter {@code version}; throws {@link StoreCorruptedException} if it is missing or damaged. */
    byte[] global(int version);

    void putUpdate(int round, String participant, byte[] encoded, String sha256);

    /** The updates stored for {@code round}, sorted by participant. */
    List<StoredUpdate> updates(int round);

    void deleteUpdate(int round, String participant);

    /** Forgets the updates of every round before {@code round} (they are folded into a global adapter). */
    void pruneUpdatesBefore(int round);

    /** Where the store lives, for messages. */
    String describe();

    /** An update as stored: who sent it, its bytes and their sha256 hex. */
    record StoredUpdate(String participant, byte[] bytes, String sha256) {
    }
}
