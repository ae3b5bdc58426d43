package io.fedtt.core.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The table of contents of a safetensors file on disk, read without its data: each tensor's name,
 * element type, shape and absolute byte range. Model checkpoints are gigabytes; a reader maps one
 * tensor's range at a time instead of holding the file (and a decoded copy) in memory. The header is
 * checked as strictly as {@link SafetensorsCodec} checks an upload: the entries must tile the data
 * that follows the header exactly.
 */
public record SafetensorsTable(Path file, List<Entry> entries, Map<String, String> metadata) {

    /** One tensor: {@code offset} is from the start of the file, {@code length} in bytes. */
    public record Entry(String name, DType dtype, int[] shape, long offset, long length) {

        public long numel() {
            return length / dtype.bytes();
        }
    }

    /** Headers larger than this are surely not a checkpoint (a 70B model's header is under 100 KB). */
    public static final int MAX_HEADER_BYTES = 100_000_000;

    public SafetensorsTable {
        entries = List.copyOf(entries);
        metadata = Map.copyOf(metadata);
    }

    /**
     * Reads and checks the header of {@code file}.
     *
     * @throws SafetensorsException naming the file when the header is malformed or does not fit the file
     */
    public static SafetensorsTable read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file + ": truncated file: " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            if (n < 0 || n > MAX_HEADER_BYTES || n > size - 8) {
                throw new SafetensorsException(file + ": header length " + Long.toUnsignedString(n)
                        + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8);
            SafetensorsHeader.Parsed parsed;
            try {
                parsed = SafetensorsHeader.parse(header.array(), Integer.MAX_VALUE, size - 8 - n);
            } catch (SafetensorsException e) {
                throw new SafetensorsException(file + ": " + e.getMessage(), e);
            }
            long dataStart = 8 + n;
            List<Entry> entries = new ArrayList<>(parsed.entries().size());
            for (SafetensorsHeader.Entry e : parsed.entries()) {
                entries.add(new Entry(e.name(), e.dtype(), e.shape(), dataStart + e.begin(), e.end() - e.begin()));
            }
            return new SafetensorsTable(file, entries, parsed.metadata());
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, at);
            if (r < 0) {
                throw new SafetensorsException("unexpected end of file at byte " + at);
            }
            at += r;
        }
    }
}
