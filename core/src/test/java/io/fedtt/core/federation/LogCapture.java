package io.fedtt.core.federation;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every record a logger tree emits, at every level, formatted as an operator would see it (message,
 * parameters and stack traces), for tests that check what must never reach a log.
 */
final class LogCapture extends Handler {

    private final Logger logger;
    private final Level previous;
    private final StringBuilder text = new StringBuilder();
    private final SimpleFormatter formatter = new SimpleFormatter();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.previous = logger.getLevel();
        setLevel(Level.ALL);
    }

    /** Captures {@code name}'s logger tree at every level until {@link #stop()}. */
    static LogCapture start(String name) {
        LogCapture c = new LogCapture(Logger.getLogger(name));
        c.logger.setLevel(Level.ALL);
        c.logger.addHandler(c);
        return c;
    }

    @Override
    public void publish(LogRecord r) {
        StringWriter w = new StringWriter();
        w.append(formatter.format(r));
        if (r.getThrown() != null) {
            r.getThrown().printStackTrace(new PrintWriter(w));
        }
        synchronized (text) {
            text.append(w);
        }
    }

    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    void stop() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
