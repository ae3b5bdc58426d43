package io.fedtt.cli.predict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The inputs of {@code fedtt predict}: a JSONL file, one JSON object per line with the text in one
 * field. Blank lines are skipped (as in training data); every other line is one input, in order.
 * Strict UTF-8.
 */
final class PredictInputs {

    /** One input: its 1-based line in the file and its text. */
    record Input(int line, String text) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictInputs() {
    }

    /**
     * @throws PredictException naming FILE:LINE for a line that is not a JSON object, lacks the field or
     *     holds something other than a string there; naming the file when it cannot be read
     */
    static List<Input> read(Path file, String field, String fieldOption) {
        if (!Files.isRegularFile(file)) {
            throw PredictException.invalid("--input " + file + ": " + (Files.isDirectory(file) ? "is a folder, not a file"
                    : "no such file"));
        }
        List<Input> out = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int line = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
            String text;
            while ((text = r.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                out.add(new Input(line, field(file, line, text, field, fieldOption)));
            }
        } catch (CharacterCodingException e) {
            throw PredictException.invalid(file + ":" + (line + 1) + ": not valid UTF-8");
        } catch (NoSuchFileException e) {
            throw PredictException.invalid("--input " + file + ": no such file");
        } catch (IOException e) {
            throw PredictException.invalid("--input " + file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static String field(Path file, int line, String text, String field, String fieldOption) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw PredictException.invalid(file + ":" + line + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw PredictException.invalid(file + ":" + line + ": not a JSON object (each line must be {\"" + field
                    + "\": \"...\"})");
        }
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw PredictException.invalid(file + ":" + line + ": no \"" + field + "\" field"
                    + (fieldOption == null ? " (name another with --text-field NAME)" : ""));
        }
        if (!value.isTextual()) {
            throw PredictException.invalid(file + ":" + line + ": \"" + field + "\" is a JSON "
                    + value.getNodeType().name().toLowerCase(Locale.ROOT) + ", not a string");
        }
        return value.asText();
    }
}
