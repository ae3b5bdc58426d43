package io.fedtt.core.data;

import java.util.Map;
import java.util.Objects;

/**
 * One example: a labelled text (sequence-classification) or a prompt with its response (causal-lm).
 *
 * <p>A labelled text has {@code response == null}; {@code label} is the index of the label in the
 * manifest's label list. A prompt-response example ({@link #promptResponse}) has the prompt as
 * {@code text}, the response as {@code response} (never null), and {@code label} 0, which means nothing
 * for it: its dataset has no labels ({@link Dataset#isPromptResponse()}). {@code fields} holds every field
 * of the record as text (the text, label, prompt and response fields too), so a partitioner can split by
 * any of them (e.g. {@code group}).
 *
 * @param response the response a causal-lm model learns to produce after {@code text}; null for a
 *                 labelled text
 */
public record Example(String text, int label, String response, Map<String, String> fields) {

    public Example {
        Objects.requireNonNull(text, "text");
        if (label < 0) {
            throw new IllegalArgumentException("label index must be >= 0, got " + label);
        }
        if (response != null && label != 0) {
            throw new IllegalArgumentException("a prompt-response example has no label (0), got " + label);
        }
        fields = Map.copyOf(fields);
    }

    /** A labelled text with its record's fields. */
    public Example(String text, int label, Map<String, String> fields) {
        this(text, label, null, fields);
    }

    /** A labelled text. */
    public Example(String text, int label) {
        this(text, label, null, Map.of());
    }

    /** A causal-lm example: {@code prompt} (may be empty) becomes {@link #text}, label 0. */
    public static Example promptResponse(String prompt, String response, Map<String, String> fields) {
        Objects.requireNonNull(response, "response");
        return new Example(prompt, 0, response, fields);
    }

    /** A causal-lm example without other fields. */
    public static Example promptResponse(String prompt, String response) {
        return promptResponse(prompt, response, Map.of());
    }

    /** Whether this is a prompt-response (causal-lm) example: it has a response. */
    public boolean isPromptResponse() {
        return response != null;
    }

    /** The prompt of a prompt-response example: the same as {@link #text}. */
    public String prompt() {
        return text;
    }

    /** The value of a field, or null when the record had none. */
    public String field(String name) {
        return fields.get(name);
    }
}
