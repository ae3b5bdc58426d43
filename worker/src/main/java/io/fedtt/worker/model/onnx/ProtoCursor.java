package io.fedtt.worker.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format over one message's bytes: tags, varints, fixed-width values and
 * length-delimited slices. Offsets in errors are absolute positions in the file.
 */
final class ProtoCursor {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buf;
    private final long base;
    private final String message;

    /** @param buf the message bytes, position 0 to limit; @param base its offset in the file */
    ProtoCursor(ByteBuffer buf, long base, String message) {
        this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
        this.message = message;
    }

    boolean hasRemaining() {
        return buf.hasRemaining();
    }

    long offset() {
        return base + buf.position();
    }

    /** Next tag as (field << 3 | wireType). */
    int readTag() {
        long at = offset();
        long tag = readVarint();
        if (tag <= 0 || tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
            throw error(at, "invalid tag " + tag);
        }
        return (int) tag;
    }

    long readVarint() {
        long at = offset();
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!buf.hasRemaining()) {
                throw error(at, "varint runs past the end of the " + message);
            }
            byte b = buf.get();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw error(at, "varint longer than 10 bytes");
    }

    float readFloat() {
        need(4, "float");
        return buf.getFloat();
    }

    /** The next length-delimited field as its own cursor, named for error messages. */
    ProtoCursor readMessage(String name) {
        int length = readLength(name);
        ProtoCursor sub = new ProtoCursor(buf.slice().limit(length), offset(), name);
        buf.position(buf.position() + length);
        return sub;
    }

    String readString(String name) {
        int length = readLength(name);
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The next length-delimited field's bytes as a little-endian view (no copy). */
    ByteBuffer readBytes(String name) {
        int length = readLength(name);
        ByteBuffer view = buf.slice().limit(length).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(buf.position() + length);
        return view;
    }

    void skip(int wireType, int field) {
        long at = offset();
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                need(8, "fixed64 field " + field);
                buf.position(buf.position() + 8);
            }
            case LENGTH_DELIMITED -> {
                int length = readLength("field " + field);
                buf.position(buf.position() + length);
            }
            case FIXED32 -> {
                need(4, "fixed32 field " + field);
                buf.position(buf.position() + 4);
            }
            default -> throw error(at, "unsupported wire type " + wireType + " for field " + field);
        }
    }

    OnnxFormatException error(long at, String what) {
        return new OnnxFormatException("malformed ONNX at offset " + at + " in " + message + ": " + what);
    }

    OnnxFormatException error(String what) {
        return error(offset(), what);
    }

    private int readLength(String name) {
        long at = offset();
        long length = readVarint();
        if (length < 0 || length > buf.remaining()) {
            throw error(at, name + " declares " + length + " bytes but only " + buf.remaining() + " remain");
        }
        return (int) length;
    }

    private void need(int n, String what) {
        if (buf.remaining() < n) {
            throw error(what + " needs " + n + " bytes but only " + buf.remaining() + " remain");
        }
    }
}
