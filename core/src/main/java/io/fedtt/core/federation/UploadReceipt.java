package io.fedtt.core.federation;

/**
 * The answer to an accepted upload. {@code duplicate} is true when the same bytes had already been
 * accepted for this round and participant (counted once).
 */
public record UploadReceipt(int round, String participant, String digest, boolean duplicate, int received, int selected) {
}
