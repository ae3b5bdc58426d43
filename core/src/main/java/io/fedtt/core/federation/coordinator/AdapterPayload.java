package io.fedtt.core.federation.coordinator;

/**
 * A global adapter body as sent on the wire.
 *
 * @param version completed rounds the adapter is the result of
 * @param digest sha256 hex of {@code body} (the ETag)
 * @param partial true when only the tensors changed since the client's copy are in it
 */
public record AdapterPayload(int version, byte[] body, String digest, boolean partial) {
}
