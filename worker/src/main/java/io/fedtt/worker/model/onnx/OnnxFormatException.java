package io.fedtt.worker.model.onnx;

/** The ONNX file is not what the reader expects; the message names the byte offset and field. */
public final class OnnxFormatException extends RuntimeException {

    public OnnxFormatException(String message) {
        super(message);
    }
}
