package io.fedtt.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads examples from a JSONL, CSV or TSV file, gzip-compressed or not, into a {@link Dataset}: labelled
 * texts ({@link #read}, sequence-classification), whose label indices follow the manifest's label order
 * (a label in the file is either one of the label names or a 0-based index into them), or prompt-response
 * pairs ({@link #readPromptResponse}, causal-lm). Every bad record stops the read with a
 * {@link DataFileException} naming the file, the line and what is wrong.
 */
public final class DatasetReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {}

    public static Dataset read(Path file, DataFormat format, String textField, String labelField, List<String> labels) {
        return read(file, format, textField, labelField, labels, Integer.MAX_VALUE);
    }

    /** As {@link #read(Path, DataFormat, String, String, List)}, stopping after {@code maxExamples} examples. */
    public static Dataset read(Path file, DataFormat format, String textField, String labelField, List<String> labels,
            int maxExamples) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(textField, "textField");
        Objects.requireNonNull(labelField, "labelField");
        if (maxExamples < 1) {
            throw new IllegalArgumentException("maxExamples must be at least 1, got " + maxExamples);
        }
        LabelIndex index = new LabelIndex(labels);
        List<Example> examples = new ArrayList<>();
        scan(file, format, List.of(textField), record -> {
            examples.add(toExample(file, record, textField, labelField, index));
            return examples.size() < maxExamples;
        });
        if (examples.isEmpty()) {
            throw new DataFileException(file, 0, "has no examples");
        }
        return new Dataset(file.toString(), labels, examples);
    }

    /** As {@link #readPromptResponse(Path, DataFormat, String, String, int)}, the whole file. */
    public static Dataset readPromptResponse(Path file, DataFormat format, String promptField, String responseField) {
        return readPromptResponse(file, format, promptField, responseField, Integer.MAX_VALUE);
    }

    /**
     * Reads prompt-response examples (causal-lm) into a {@link Dataset#promptResponse prompt-response dataset}:
     * no labels, each example's {@link Example#text} the prompt and {@link Example#response} the response.
     * Same formats, strictness and errors as {@link #read}: a record without the prompt or the response
     * field, or (JSONL) with an object or list in either, stops the read naming the file, the line and the
     * field. An empty prompt is allowed (the model then learns the response unconditioned); an empty or
     * blank response is not: there would be nothing to train on or to score.
     *
     * @param maxExamples stop after this many examples ({@link Integer#MAX_VALUE}: the whole file)
     * @throws DataFileException naming the file and line of the first bad record, or a file with no examples
     */
    public static Dataset readPromptResponse(Path file, DataFormat format, String promptField, String responseField,
            int maxExamples) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(promptField, "promptField");
        Objects.requireNonNull(responseField, "responseField");
        if (maxExamples < 1) {
            throw new IllegalArgumentException("maxExamples must be at least 1, got " + maxExamples);
        }
        if (promptField.equals(responseField)) {
            throw new IllegalArgumentException("the prompt and response fields must differ, both are \"" + promptField
                    + "\"");
        }
        List<Example> examples = new ArrayList<>();
        scan(file, format, List.of(promptField, responseField), record -> {
            examples.add(toPromptResponse(file, record, promptField, responseField));
            return examples.size() < maxExamples;
        });
        if (examples.isEmpty()) {
            throw new DataFileException(file, 0, "has no examples");
        }
        return Dataset.promptResponse(file.toString(), examples);
    }

    /**
     * The first {@code maxRecords} records of a file as field maps, parsed exactly as {@link #read}
     * parses them but without its field and label checks: for a validator that reports those itself.
     *
     * @throws DataFileException naming the file and line of the first record that cannot be parsed
     */
    public static List<Record> records(Path file, DataFormat format, int maxRecords) {
        Objects.requireNonNull(file, "file");
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
        }
        List<Record> out = new ArrayList<>();
        scan(file, format, List.of(), record -> {
            out.add(record);
            return out.size() < maxRecords;
        });
        return out;
    }

    /** Feeds the file's records to {@code visitor} until it returns false or the file ends. */
    private static void scan(Path file, DataFormat format, List<String> textFields, Predicate<Record> visitor) {
        DataFormat resolved = (format == null ? DataFormat.AUTO : format).resolve(file);
        Utf8LineReader reader;
        try {
            reader = open(file);
        } catch (NoSuchFileException e) {
            throw new DataFileException(file, 0, "file not found");
        } catch (IOException e) {
            throw translate(file, 0, e);
        }
        try (reader) {
            RecordSource source = switch (resolved) {
                case JSONL -> new JsonlSource(file, reader, textFields);
                case CSV -> new DelimitedSource(file, reader, ',', true);
                case TSV -> new DelimitedSource(file, reader, '\t', false);
                case AUTO -> throw new IllegalStateException("resolved above");
            };
            Record record;
            while ((record = source.next()) != null && visitor.test(record)) {
                // the visitor keeps what it needs
            }
        } catch (Utf8LineReader.MalformedLineException e) {
            throw new DataFileException(file, e.line, "is not valid UTF-8", e);
        } catch (IOException e) {
            throw translate(file, reader.lineNumber() + 1, e);
        }
    }

    private static DataFileException translate(Path file, int line, IOException e) {
        if (e instanceof ZipException || e instanceof EOFException) {
            return new DataFileException(file, line, "the gzip data is damaged or truncated (" + e.getMessage() + ")", e);
        }
        return new DataFileException(file, line, "cannot read: " + e, e);
    }

    /** Lines of strict UTF-8; gzip is detected from the magic bytes, not the name. */
    private static Utf8LineReader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new Utf8LineReader(in);
    }

    private static Example toExample(Path file, Record record, String textField, String labelField, LabelIndex index) {
        Map<String, String> fields = record.fields();
        String text = fields.get(textField);
        if (text == null) {
            throw new DataFileException(file, record.line(), "has no text field \"" + textField + "\" (fields: "
                    + String.join(", ", fields.keySet()) + ")");
        }
        String label = fields.get(labelField);
        if (label == null) {
            throw new DataFileException(file, record.line(), "has no label field \"" + labelField + "\" (fields: "
                    + String.join(", ", fields.keySet()) + ")");
        }
        int labelIndex = index.indexOf(label);
        if (labelIndex < 0) {
            throw new DataFileException(file, record.line(), "label \"" + label + "\" is not in the label set "
                    + index.names + " (a label is one of these names or a 0-based index below " + index.names.size() + ")");
        }
        return new Example(text, labelIndex, fields);
    }

    private static Example toPromptResponse(Path file, Record record, String promptField, String responseField) {
        Map<String, String> fields = record.fields();
        String prompt = fields.get(promptField);
        if (prompt == null) {
            throw new DataFileException(file, record.line(), "has no prompt field \"" + promptField + "\" (fields: "
                    + String.join(", ", fields.keySet()) + ")");
        }
        String response = fields.get(responseField);
        if (response == null) {
            throw new DataFileException(file, record.line(), "has no response field \"" + responseField
                    + "\" (fields: " + String.join(", ", fields.keySet()) + ")");
        }
        if (response.isBlank()) {
            throw new DataFileException(file, record.line(), "response field \"" + responseField
                    + "\" is empty: a causal-lm example needs a response to learn");
        }
        return Example.promptResponse(prompt, response, fields);
    }

    /** Label name or 0-based index -> index in the manifest's order. */
    private static final class LabelIndex {
        final List<String> names;
        final Map<String, Integer> byName = new HashMap<>();

        LabelIndex(List<String> names) {
            if (names == null || names.isEmpty()) {
                throw new IllegalArgumentException("the label set is empty: list the labels (e.g. [ham, spam])");
            }
            this.names = List.copyOf(names);
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (name.isBlank()) {
                    throw new IllegalArgumentException("label " + i + " of " + names + " is blank");
                }
                if (byName.putIfAbsent(name, i) != null) {
                    throw new IllegalArgumentException("label \"" + name + "\" appears twice in " + names);
                }
            }
        }

        int indexOf(String label) {
            Integer i = byName.get(label);
            if (i != null) {
                return i;
            }
            if (!label.isEmpty() && label.length() < 10 && label.chars().allMatch(c -> c >= '0' && c <= '9')) {
                int n = Integer.parseInt(label);
                return n < names.size() ? n : -1;
            }
            return -1;
        }
    }

    /** One record: its fields as text (absent fields absent) and the (1-based) line it starts on. */
    public record Record(int line, Map<String, String> fields) {}

    private interface RecordSource {
        /** The next record, or null at the end. */
        Record next() throws IOException;
    }

    /**
     * One JSON object per line; blank lines are skipped; null values count as absent; the text fields
     * (text, or prompt and response) must be JSON values, not objects or lists.
     */
    private static final class JsonlSource implements RecordSource {
        private final Path file;
        private final Utf8LineReader reader;
        private final List<String> textFields;
        private int line;

        JsonlSource(Path file, Utf8LineReader reader, List<String> textFields) {
            this.file = file;
            this.reader = reader;
            this.textFields = textFields;
        }

        @Override
        public Record next() throws IOException {
            String text;
            do {
                text = reader.nextLine();
                if (text == null) {
                    return null;
                }
                line = reader.lineNumber();
            } while (text.isBlank());
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new DataFileException(file, line, "is not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new DataFileException(file, line, "is not a JSON object");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                JsonNode value = property.getValue();
                if (value.isNull()) {
                    continue;
                }
                int which = textFields.indexOf(property.getKey());
                if (which >= 0 && !value.isValueNode()) {
                    String role = textFields.size() == 1 ? "text" : which == 0 ? "prompt" : "response";
                    throw new DataFileException(file, line, role + " field \"" + property.getKey() + "\" is a JSON "
                            + value.getNodeType().name().toLowerCase(Locale.ROOT) + ", not text");
                }
                fields.put(property.getKey(), value.isValueNode() ? value.asText() : value.toString());
            }
            return new Record(line, fields);
        }
    }

    /**
     * CSV (RFC 4180: fields in double quotes may hold separators, doubled quotes and line breaks)
     * or TSV (split on tabs, no quoting), both with a header row naming the fields.
     */
    private static final class DelimitedSource implements RecordSource {
        private final Path file;
        private final Utf8LineReader reader;
        private final char separator;
        private final boolean quoting;
        private List<String> header;
        private int line = 1;        // line of the next character
        private int lastRecordStart; // line the last record read began on
        private int pushedBack = -2; // one character of look-ahead; -2 = none
        private String current = "";  // the physical line being parsed
        private int offset;

        DelimitedSource(Path file, Utf8LineReader reader, char separator, boolean quoting) {
            this.file = file;
            this.reader = reader;
            this.separator = separator;
            this.quoting = quoting;
        }

        @Override
        public Record next() throws IOException {
            if (header == null) {
                List<String> names = nextNonBlankRecord();
                if (names == null) {
                    return null;
                }
                int start = lastRecordStart;
                header = new ArrayList<>();
                for (String name : names) {
                    String trimmed = name.trim();
                    if (header.contains(trimmed)) {
                        throw new DataFileException(file, start, "the header names column \"" + trimmed + "\" twice");
                    }
                    header.add(trimmed);
                }
            }
            List<String> values = nextNonBlankRecord();
            if (values == null) {
                return null;
            }
            int start = lastRecordStart;
            if (values.size() != header.size()) {
                throw new DataFileException(file, start, "has " + values.size() + " columns, the header has "
                        + header.size() + " (" + String.join(", ", header) + ")"
                        + (quoting ? "; a text with commas must be in double quotes" : ""));
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                fields.put(header.get(i), values.get(i));
            }
            return new Record(start, fields);
        }

        private List<String> nextNonBlankRecord() throws IOException {
            while (true) {
                lastRecordStart = line;
                List<String> record = nextRecord();
                if (record == null) {
                    return null;
                }
                if (record.size() > 1 || !record.get(0).isEmpty()) {
                    return record;
                }
            }
        }

        /** The fields of the next record, or null at the end of the file. */
        private List<String> nextRecord() throws IOException {
            int c = read();
            if (c == -1) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            while (true) {
                if (quoting && c == '"' && field.length() == 0) {
                    readQuoted(field);
                    c = read();
                    if (c != separator && c != '\n' && c != '\r' && c != -1) {
                        throw new DataFileException(file, line, "unexpected character '" + (char) c
                                + "' after the closing quote of a field; a quote inside a quoted field is written \"\"");
                    }
                    continue;
                }
                if (c == separator) {
                    fields.add(field.toString());
                    field.setLength(0);
                } else if (c == '\n' || c == -1) {
                    fields.add(field.toString());
                    return fields;
                } else if (c == '\r') {
                    int next = read();
                    if (next != '\n') {
                        unread(next);
                    }
                    fields.add(field.toString());
                    return fields;
                } else {
                    field.append((char) c);
                }
                c = read();
            }
        }

        private void readQuoted(StringBuilder field) throws IOException {
            int opened = line;
            while (true) {
                int c = read();
                if (c == -1) {
                    throw new DataFileException(file, opened, "a quoted field opened on this line is never closed");
                }
                if (c == '"') {
                    int next = read();
                    if (next == '"') {
                        field.append('"');
                        continue;
                    }
                    unread(next);
                    return;
                }
                field.append((char) c);
            }
        }

        private int read() throws IOException {
            int c;
            if (pushedBack != -2) {
                c = pushedBack;
                pushedBack = -2;
            } else {
                if (offset == current.length()) {
                    String next = reader.nextLine();
                    if (next == null) {
                        return -1;
                    }
                    current = next;
                    offset = 0;
                }
                c = current.charAt(offset++);
            }
            if (c == '\n') {
                line++;
            }
            return c;
        }

        private void unread(int c) {
            if (c == '\n') {
                line--;
            }
            pushedBack = c;
        }
    }
}
