package io.fedtt.core.tensor;

/**
 * A safetensors file (or an adapter to encode) is malformed, unsupported or over a limit. The
 * message names the tensor or header field at fault. Unchecked: callers at a trust boundary
 * (upload handler, file loader) catch it and turn it into their own error.
 */
public class SafetensorsException extends RuntimeException {

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
