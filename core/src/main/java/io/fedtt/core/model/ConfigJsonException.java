package io.fedtt.core.model;

import java.io.IOException;

/**
 * A model's config.json was read but is not usable as one: not JSON, not an object, too large, or not
 * the file a checksum pinned. Reading it again gives the same answer (unlike a network failure).
 */
public final class ConfigJsonException extends IOException {

    public ConfigJsonException(String message) {
        super(message);
    }

    public ConfigJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
