package io.fedtt.core.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a byte stream line by line and decodes each line as strict UTF-8, so a malformed byte is
 * reported with the number of the line it is on (a buffered decoder would report it wherever its
 * buffer happened to end).
 */
final class Utf8LineReader implements Closeable {

    /** A line that is not valid UTF-8. */
    static final class MalformedLineException extends IOException {
        final int line;

        MalformedLineException(int line, CharacterCodingException cause) {
            super("line " + line + " is not valid UTF-8", cause);
            this.line = line;
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[256];
    private int lineNumber;

    Utf8LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line with its terminating '\n' (if it has one), or null at the end of the stream. */
    String nextLine() throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    break;
                }
            }
            any = true;
            byte b = buffer[pos++];
            if (length == line.length) {
                line = Arrays.copyOf(line, line.length * 2);
            }
            line[length++] = b;
            if (b == '\n') {
                break;
            }
        }
        if (!any) {
            return null;
        }
        lineNumber++;
        try {
            decoder.reset();
            String text = decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
            return lineNumber == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new MalformedLineException(lineNumber, e);
        }
    }

    /** The number (1-based) of the line {@link #nextLine()} returned last. */
    int lineNumber() {
        return lineNumber;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
