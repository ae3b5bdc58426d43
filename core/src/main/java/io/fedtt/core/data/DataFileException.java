package io.fedtt.core.data;

import java.nio.file.Path;

/**
 * A data file cannot be read or has a bad record. The message names the file, the line (when the
 * problem is on one) and what is wrong. Unchecked, like the other input errors of the core.
 */
public class DataFileException extends RuntimeException {

    private final transient Path file;
    private final int line;

    /** {@code line} is 1-based; 0 when the problem is not on one line (the file is missing, say). */
    public DataFileException(Path file, int line, String problem) {
        this(file, line, problem, null);
    }

    public DataFileException(Path file, int line, String problem, Throwable cause) {
        super(file + (line > 0 ? " line " + line : "") + ": " + problem, cause);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
