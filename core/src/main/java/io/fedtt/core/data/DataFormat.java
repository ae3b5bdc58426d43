package io.fedtt.core.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Layout of a data file. JSONL: one JSON object per line. CSV: RFC 4180 with a header row
 * (quoted fields may hold commas, doubled quotes and line breaks). TSV: a header row, fields split
 * on tabs, no quoting. Any of them may be gzip-compressed; that is detected from the bytes.
 * {@link #AUTO} picks the format from the file name.
 */
public enum DataFormat {
    AUTO, JSONL, CSV, TSV;

    /** The format that {@code name} spells in a manifest ({@code auto}, {@code jsonl}, {@code csv}, {@code tsv}). */
    public static DataFormat parse(String name) {
        for (DataFormat f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown data format \"" + name + "\"; use auto, jsonl, csv or tsv");
    }

    /** The format a file name's extension says ({@code .jsonl}, {@code .ndjson}, {@code .csv}, {@code .tsv}, each optionally {@code .gz}). */
    public static Optional<DataFormat> fromFileName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return Optional.of(JSONL);
        }
        if (name.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        if (name.endsWith(".tsv")) {
            return Optional.of(TSV);
        }
        return Optional.empty();
    }

    /** This format, or for {@link #AUTO} the one the file name says; fails naming the file when it says none. */
    public DataFormat resolve(Path file) {
        if (this != AUTO) {
            return this;
        }
        return fromFileName(file).orElseThrow(() -> new DataFileException(file, 0,
                "cannot tell the format from the file name; use .jsonl, .csv or .tsv (optionally .gz) or set the format"));
    }
}
