package io.fedtt.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each text is cut to CHARS_PER_TOKEN x maxSequenceLength characters before the tokenizer sees it. */
class TextTokenizerLimitTest {

    private static TextTokenizer miniLm(Path dir, int maxLength) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        try (InputStream in = TextTokenizerLimitTest.class.getClassLoader()
                .getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, file);
        }
        return TextTokenizer.load(file, maxLength);
    }

    /** Before the cut this took 43 s and 1.3 GB (the tokenizer encodes all of it, then truncates); now under 1 s. */
    @Test
    @Timeout(20)
    void aHugeTextCostsNoMoreThanItsUsedPrefix(@TempDir Path dir) throws IOException {
        String huge = "please refund my order ".repeat(8 * 1024 * 1024 / 23 + 1); // 8 MB in one example
        try (TextTokenizer t = miniLm(dir, 64)) {
            TokenBatch big = t.encode(List.of(huge, "short"));
            TokenBatch prefix = t.encode(List.of(huge.substring(0, 1000), "short"));
            assertEquals(64, big.length());
            assertArrayEquals(prefix.inputIds(), big.inputIds(), "only the first 64 tokens are used either way");
        }
    }

    @Test
    void cutKeepsShortTextsAndSurrogatePairs() {
        String text = "x".repeat(64 * 2 - 1) + "\uD83D\uDE00" + "tail";
        String shortText = text.substring(0, 10);
        assertSame(shortText, TextTokenizer.cut(shortText, 2));
        String cut = TextTokenizer.cut(text, 2);
        assertEquals(64 * 2 - 1, cut.length(), "the pair is not split");
        assertEquals(128, TextTokenizer.cut("y".repeat(1000), 2).length());
    }

    /** The cap changes no text of the bundled examples (their smallest maxSequenceLength is 64). */
    @Test
    void noExampleTextIsCut() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path data = Path.of("..", "examples", "data");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(p -> p.toString().endsWith(".jsonl.gz")).toList();
        }
        assertTrue(files.size() >= 5, "examples/data found: " + files);
        long texts = 0;
        for (Path f : files) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(f)), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String text = json.readTree(line).path("text").asText();
                    assertEquals(text, TextTokenizer.cut(text, 64), f + ": a text the cap would change");
                    texts++;
                }
            }
        }
        assertTrue(texts > 1000, "read " + texts + " texts");
    }
}
