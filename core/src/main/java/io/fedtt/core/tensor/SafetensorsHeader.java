package io.fedtt.core.tensor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file: parsing it strictly, checking its table of tensors against
 * the data buffer, and writing it byte for byte as the Python library does (compact JSON,
 * {@code __metadata__} first, tensors in data order, padded with spaces to a multiple of 8).
 */
final class SafetensorsHeader {

    static final String METADATA_KEY = "__metadata__";
    /** Higher ranks than this are surely corruption, and bounding it bounds the parser's work. */
    static final int MAX_RANK = 64;

    /** One tensor's entry in the header; offsets are relative to the start of the data buffer. */
    record Entry(String name, DType dtype, int[] shape, long begin, long end) {

        int numel() {
            return (int) Tensor.numel(shape); // checked to fit an int when parsed
        }
    }

    /** A parsed header: its entries sorted by data offset, and its string metadata. */
    record Parsed(List<Entry> entries, Map<String, String> metadata) {

        /** Bytes the entries cover from the start of the data buffer. */
        long dataLength() {
            return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).end();
        }
    }

    /** Strict about duplicates; no name canonicalization, which only costs for one-off tensor names. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build();

    private SafetensorsHeader() {
    }

    /**
     * Parses and checks a header. The entries must tile the data buffer exactly: sorted by offset
     * they start at 0, follow each other with no gap or overlap, and end at {@code dataLength}
     * (pass -1 when the buffer is not known yet: a stream reads the data after the header).
     */
    static Parsed parse(byte[] header, int maxTensors, long dataLength) {
        String text = utf8(header);
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SafetensorsException("header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (METADATA_KEY.equals(name)) {
                    readMetadata(p, metadata);
                } else {
                    if (entries.size() == maxTensors) {
                        throw new SafetensorsException("header lists more than " + maxTensors + " tensors");
                    }
                    entries.add(readEntry(p, name));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new SafetensorsException("header JSON object is not closed");
            }
            if (p.nextToken() != null) {
                throw new SafetensorsException("header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new SafetensorsException("bad header JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset()), e);
        } catch (IOException e) {
            throw new SafetensorsException("bad header JSON: " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkLayout(entries, dataLength);
        return new Parsed(List.copyOf(entries), metadata);
    }

    private static String utf8(byte[] header) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException("header is not valid UTF-8", e);
        }
    }

    private static void readMetadata(JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsException("'" + METADATA_KEY + "' must be an object of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new SafetensorsException(
                        "'" + METADATA_KEY + "' value of '" + key + "' must be a string, got " + p.currentToken());
            }
            metadata.put(key, p.getText());
        }
    }

    private static Entry readEntry(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsException("tensor '" + name + "': header entry must be an object");
        }
        DType dtype = null;
        int[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype" -> dtype = readDtype(p, name);
                case "shape" -> shape = readShape(p, name);
                case "data_offsets" -> offsets = readOffsets(p, name);
                default -> throw new SafetensorsException("tensor '" + name + "': unknown field '" + field + "'");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw new SafetensorsException("tensor '" + name + "': missing field '" + missing + "'");
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static DType readDtype(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new SafetensorsException("tensor '" + name + "': 'dtype' must be a string");
        }
        String text = p.getText();
        for (DType d : DType.values()) {
            if (d.name().equals(text)) {
                return d;
            }
        }
        throw new SafetensorsException("tensor '" + name + "': unsupported dtype '" + text
                + "' (this codec reads F32, F16 and BF16)");
    }

    private static int[] readShape(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new SafetensorsException("tensor '" + name + "': 'shape' must be an array of integers");
        }
        int[] dims = new int[4];
        int rank = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (rank == MAX_RANK) {
                throw new SafetensorsException("tensor '" + name + "': shape has more than " + MAX_RANK + " dimensions");
            }
            long d = readNonNegative(p, name, "shape");
            if (d > Integer.MAX_VALUE) {
                throw new SafetensorsException("tensor '" + name + "': dimension " + d + " is too large");
            }
            if (rank == dims.length) {
                dims = Arrays.copyOf(dims, rank * 2);
            }
            dims[rank++] = (int) d;
        }
        int[] shape = Arrays.copyOf(dims, rank);
        long numel;
        try {
            numel = Tensor.numel(shape);
        } catch (ArithmeticException e) {
            numel = Long.MAX_VALUE;
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has too many elements for one array");
        }
        return shape;
    }

    private static long[] readOffsets(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new SafetensorsException("tensor '" + name + "': 'data_offsets' must be [begin, end]");
        }
        long[] out = new long[2];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n == 2) {
                throw new SafetensorsException("tensor '" + name + "': 'data_offsets' must have exactly 2 values");
            }
            out[n++] = readNonNegative(p, name, "data_offsets");
        }
        if (n != 2) {
            throw new SafetensorsException("tensor '" + name + "': 'data_offsets' must have exactly 2 values");
        }
        if (out[1] < out[0]) {
            throw new SafetensorsException("tensor '" + name + "': data_offsets [" + out[0] + ", " + out[1]
                    + "] end before they begin");
        }
        return out;
    }

    private static long readNonNegative(JsonParser p, String name, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new SafetensorsException("tensor '" + name + "': '" + field + "' must hold integers, got "
                    + (p.currentToken() == null ? "end of header" : p.getText()));
        }
        long v = p.getLongValue();
        if (v < 0) {
            throw new SafetensorsException("tensor '" + name + "': '" + field + "' holds negative value " + v);
        }
        return v;
    }

    /**
     * Entries sorted by offset must tile [0, dataLength) exactly, each with the size its shape needs.
     * Names are unique already: the parser rejects duplicate keys in every object.
     */
    private static void checkLayout(List<Entry> sorted, long dataLength) {
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (dataLength >= 0 && e.end() > dataLength) {
                throw new SafetensorsException("tensor '" + e.name() + "': data_offsets [" + e.begin() + ", "
                        + e.end() + "] run past the data buffer of " + dataLength + " bytes");
            }
            if (e.begin() < expected) {
                throw new SafetensorsException("tensor '" + e.name() + "': data_offsets [" + e.begin() + ", "
                        + e.end() + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            if (e.begin() > expected) {
                throw new SafetensorsException("tensor '" + e.name() + "': data starts at " + e.begin()
                        + " but the previous tensor ends at " + expected + " (gap in the data buffer)");
            }
            long needed = (long) e.numel() * e.dtype().bytes();
            if (e.end() - e.begin() != needed) {
                throw new SafetensorsException("tensor '" + e.name() + "': shape " + Arrays.toString(e.shape())
                        + " as " + e.dtype() + " needs " + needed + " bytes but data_offsets [" + e.begin() + ", "
                        + e.end() + "] span " + (e.end() - e.begin()));
            }
            expected = e.end();
            previous = e;
        }
        if (dataLength >= 0 && expected != dataLength) {
            throw new SafetensorsException("data buffer has " + dataLength + " bytes but the tensors cover "
                    + expected + " (trailing bytes)");
        }
    }

    /**
     * The header bytes for these entries (already in data order) and metadata, padded with spaces to
     * a multiple of 8 so that the data buffer starts aligned. Metadata is omitted when empty, as the
     * Python library does when given none.
     */
    static byte[] write(List<Entry> entries, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder(64 + entries.size() * 96);
        sb.append('{');
        boolean first = true;
        if (!metadata.isEmpty()) {
            appendString(sb, METADATA_KEY);
            sb.append(":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!firstKey) {
                    sb.append(',');
                }
                appendString(sb, m.getKey());
                sb.append(':');
                appendString(sb, m.getValue());
                firstKey = false;
            }
            sb.append('}');
            first = false;
        }
        for (Entry e : entries) {
            if (!first) {
                sb.append(',');
            }
            appendString(sb, e.name());
            sb.append(":{\"dtype\":\"").append(e.dtype().name()).append("\",\"shape\":[");
            int[] shape = e.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(e.begin()).append(',').append(e.end()).append("]}");
            first = false;
        }
        sb.append('}');
        int utf8Length = sb.toString().getBytes(StandardCharsets.UTF_8).length;
        sb.append(" ".repeat((8 - utf8Length % 8) % 8));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string escaped as serde_json does: quote, backslash and control characters only. */
    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
