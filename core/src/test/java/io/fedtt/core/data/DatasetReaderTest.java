package io.fedtt.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    private static final List<String> LABELS = List.of("ham", "spam");
    /** The prepared demo data (examples/data), relative to the core module's folder where tests run. */
    static final Path PREPARED = Path.of("..", "examples", "data");

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(content);
            }
        } else {
            Files.write(file, content);
        }
        return file;
    }

    private static Dataset read(Path file) {
        return DatasetReader.read(file, DataFormat.AUTO, "text", "label", LABELS);
    }

    private static DataFileException failure(Path file) {
        return assertThrows(DataFileException.class, () -> read(file));
    }

    @Test
    void readsJsonlWithLabelsInTheManifestsOrder() throws IOException {
        Path file = write("a.jsonl", """
                {"text": "cheap pills", "label": "spam", "group": "spam-1"}

                {"text": "see you at lunch", "label": "ham", "group": "easy-ham-1", "list_id": null}
                {"text": 42, "label": 1, "meta": {"k": [1, 2]}}
                """);
        Dataset data = read(file);
        assertEquals(3, data.size());
        assertEquals(new Example("cheap pills", 1, java.util.Map.of("text", "cheap pills", "label", "spam", "group", "spam-1")),
                data.examples().get(0));
        assertEquals(0, data.examples().get(1).label());
        assertEquals(Set.of("text", "label", "group"), data.examples().get(1).fields().keySet(), "null fields are absent");
        assertEquals("42", data.examples().get(2).text());
        assertEquals(1, data.examples().get(2).label(), "a label may be a 0-based index");
        assertEquals("{\"k\":[1,2]}", data.examples().get(2).field("meta"));
        assertArrayEquals(new int[] {1, 2}, data.labelCounts());
        assertEquals(List.of("ham", "spam"), data.labels());
    }

    @Test
    void labelOrderComesFromTheManifestNotTheFile() throws IOException {
        Path file = write("a.jsonl", "{\"text\":\"x\",\"label\":\"ham\"}\n");
        Dataset data = DatasetReader.read(file, DataFormat.JSONL, "text", "label", List.of("spam", "ham"));
        assertEquals(1, data.examples().get(0).label());
    }

    @Test
    void readsGzipByItsMagicBytesWhateverTheName() throws IOException {
        String body = "{\"body\":\"hello\",\"y\":\"spam\"}\n{\"body\":\"bye\",\"y\":\"ham\"}\n";
        Path gz = write("a.jsonl.gz", body);
        Dataset data = DatasetReader.read(gz, DataFormat.AUTO, "body", "y", LABELS);
        assertEquals(List.of("hello", "bye"), data.examples().stream().map(Example::text).toList());
        Path misnamed = dir.resolve("b.jsonl");
        Files.copy(gz, misnamed);
        assertEquals(2, DatasetReader.read(misnamed, DataFormat.AUTO, "body", "y", LABELS).size());
    }

    @Test
    void readsCsvWithQuotesSeparatorsAndLineBreaksInFields() throws IOException {
        String csv = "\uFEFFid,text,label\r\n"
                + "1,\"Hello, world\",ham\r\n"
                + "2,\"she said \"\"buy\"\"\nnow\",spam\r\n"
                + "\r\n"
                + "3,plain text with a \" in it,1\r\n"
                + "4,\"\",ham";
        for (String name : new String[] {"a.csv", "a.csv.gz"}) {
            Dataset data = read(write(name, csv));
            assertEquals(List.of("Hello, world", "she said \"buy\"\nnow", "plain text with a \" in it", ""),
                    data.examples().stream().map(Example::text).toList(), name);
            assertArrayEquals(new int[] {0, 1, 1, 0}, data.examples().stream().mapToInt(Example::label).toArray());
            assertEquals("2", data.examples().get(1).field("id"));
        }
    }

    @Test
    void readsTsvWithoutQuoting() throws IOException {
        String tsv = "label\ttext\tgroup\nspam\t\"quoted\" stays, as is\ts1\nham\tline two\ts2\n";
        for (String name : new String[] {"a.tsv", "a.tsv.gz"}) {
            Dataset data = read(write(name, tsv));
            assertEquals("\"quoted\" stays, as is", data.examples().get(0).text());
            assertEquals("s2", data.examples().get(1).field("group"));
        }
    }

    @Test
    void stopsAfterMaxExamples() throws IOException {
        Path file = write("a.jsonl", "{\"text\":\"a\",\"label\":\"ham\"}\n{\"text\":\"b\",\"label\":\"ham\"}\nnot json\n");
        assertEquals(2, DatasetReader.read(file, DataFormat.AUTO, "text", "label", LABELS, 2).size());
    }

    @Test
    void invalidJsonNamesFileAndLine() throws IOException {
        Path file = write("bad.jsonl", "{\"text\":\"a\",\"label\":\"ham\"}\n\n{\"text\": \"b\", \"label\": \n");
        DataFileException e = failure(file);
        assertEquals(3, e.line());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("bad.jsonl line 3: is not valid JSON"), e.getMessage());
    }

    @Test
    void jsonThatIsNotAnObjectIsRejected() throws IOException {
        assertTrue(failure(write("arr.jsonl", "[1, 2]\n")).getMessage().contains("line 1: is not a JSON object"));
    }

    @Test
    void missingTextFieldListsTheFieldsThereAre() throws IOException {
        Path file = write("a.jsonl", "{\"text\":\"a\",\"label\":\"ham\"}\n{\"body\":\"b\",\"label\":\"ham\"}\n");
        DataFileException e = failure(file);
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("has no text field \"text\" (fields: body, label)"), e.getMessage());
    }

    @Test
    void textThatIsAnObjectIsRejected() throws IOException {
        DataFileException e = failure(write("a.jsonl", "{\"text\":{\"a\":1},\"label\":\"ham\"}\n"));
        assertTrue(e.getMessage().contains("text field \"text\" is a JSON object, not text"), e.getMessage());
    }

    @Test
    void unknownLabelListsTheAllowedLabels() throws IOException {
        Path file = write("a.csv", "text,label\nfine,ham\nodd,eggs\n");
        DataFileException e = failure(file);
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("label \"eggs\" is not in the label set [ham, spam]"), e.getMessage());
        assertThrows(DataFileException.class, () -> read(write("b.jsonl", "{\"text\":\"x\",\"label\":2}\n")),
                "index beyond the label set");
        assertThrows(DataFileException.class, () -> read(write("c.jsonl", "{\"text\":\"x\",\"label\":-1}\n")));
        assertThrows(DataFileException.class, () -> read(write("d.jsonl", "{\"text\":\"x\"}\n")), "label missing");
    }

    @Test
    void csvRowWithTheWrongNumberOfColumnsIsRejected() throws IOException {
        Path file = write("a.csv", "text,label\n\"multi\nline\",ham\nhello, world,spam\n");
        DataFileException e = failure(file);
        assertEquals(4, e.line(), "line numbers count the line breaks inside quoted fields");
        assertTrue(e.getMessage().contains("has 3 columns, the header has 2 (text, label)"), e.getMessage());
    }

    @Test
    void unclosedQuoteNamesTheLineItOpensOn() throws IOException {
        DataFileException e = failure(write("a.csv", "text,label\nok,ham\n\"never closed,ham\nmore,spam\n"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
    }

    @Test
    void textAfterAClosingQuoteIsRejected() throws IOException {
        DataFileException e = failure(write("a.csv", "text,label\n\"ab\"c,ham\n"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("after the closing quote"), e.getMessage());
    }

    @Test
    void duplicateHeaderColumnIsRejected() throws IOException {
        assertTrue(failure(write("a.tsv", "text\tlabel\ttext\nx\tham\ty\n")).getMessage().contains("column \"text\" twice"));
    }

    @Test
    void invalidUtf8NamesTheLine() throws IOException {
        byte[] good = "{\"text\":\"a\",\"label\":\"ham\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '"', '}', '\n'};
        byte[] both = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        DataFileException e = failure(write("a.jsonl", both));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void truncatedGzipIsReported() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            body.append("{\"text\":\"message ").append(i).append(" with some words\",\"label\":\"ham\"}\n");
        }
        Path full = write("a.jsonl.gz", body.toString());
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.jsonl.gz");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(failure(cut).getMessage().contains("gzip data is damaged or truncated"));
    }

    @Test
    void fileProblemsAreNamed() throws IOException {
        assertTrue(failure(dir.resolve("missing.jsonl")).getMessage().endsWith("missing.jsonl: file not found"));
        assertTrue(failure(write("empty.jsonl", "\n\n")).getMessage().contains("has no examples"));
        assertTrue(failure(write("header-only.csv", "text,label\n")).getMessage().contains("has no examples"));
        assertTrue(failure(write("data.txt", "x")).getMessage().contains("cannot tell the format"));
        assertEquals(1, DatasetReader.read(write("data.txt2", "text,label\na,ham\n"), DataFormat.CSV, "text", "label", LABELS).size(),
                "an explicit format needs no extension");
    }

    @Test
    void labelSetMustBeUsable() throws IOException {
        Path file = write("a.jsonl", "{\"text\":\"a\",\"label\":\"ham\"}\n");
        assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(file, DataFormat.AUTO, "text", "label", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> DatasetReader.read(file, DataFormat.AUTO, "text", "label", List.of("ham", "ham")));
    }

    @Test
    void formatNamesAndExtensions() {
        assertEquals(DataFormat.TSV, DataFormat.parse("tsv"));
        assertEquals(DataFormat.AUTO, DataFormat.parse("Auto"));
        assertThrows(IllegalArgumentException.class, () -> DataFormat.parse("parquet"));
        assertEquals(DataFormat.JSONL, DataFormat.fromFileName(Path.of("x.NDJSON.gz")).orElseThrow());
        assertEquals(DataFormat.CSV, DataFormat.AUTO.resolve(Path.of("dir/x.csv")));
        assertEquals(DataFormat.JSONL, DataFormat.JSONL.resolve(Path.of("x.csv")));
    }

    @Test
    void readsThePreparedSpamEvaluationSet() {
        Dataset data = DatasetReader.read(PREPARED.resolve("spam/eval-small.jsonl.gz"), DataFormat.AUTO, "text", "label", LABELS);
        assertEquals(200, data.size());
        assertArrayEquals(new int[] {140, 60}, data.labelCounts());
        for (Example e : data.examples()) {
            assertTrue(!e.text().isBlank() && e.text().length() <= 2000, "cleaned, capped text");
            assertTrue(Set.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2").contains(e.field("group")));
            assertEquals(e.field("group").startsWith("spam") ? 1 : 0, e.label());
        }
    }

    @Test
    void readsThePreparedTopicsWithTheSevenListLabels() {
        List<String> topics = List.of("exmh-users", "exmh-workers", "fork", "ilug", "razor-users", "rpm-list", "spamassassin-talk");
        Dataset data = DatasetReader.read(PREPARED.resolve("topics/eval.jsonl.gz"), DataFormat.AUTO, "text", "label", topics);
        int[] counts = data.labelCounts();
        assertEquals(7, counts.length);
        assertTrue(Arrays.stream(counts).allMatch(c -> c >= 10), Arrays.toString(counts));
    }

    @Test
    void recordsGivesTheFirstRecordsAsFieldsWithoutLabelChecks() throws IOException {
        Path csv = write("peek.csv", "text,label\n\"hello, world\",ham\n\"multi\nline\",eggs\nplain,spam\n");
        List<DatasetReader.Record> two = DatasetReader.records(csv, DataFormat.AUTO, 2);
        assertEquals(List.of(new DatasetReader.Record(2, Map.of("text", "hello, world", "label", "ham")),
                new DatasetReader.Record(3, Map.of("text", "multi\nline", "label", "eggs"))), two);
        Path jsonl = write("peek.jsonl", "{\"text\": \"a\", \"label\": \"ham\"}\n[1]\n");
        assertEquals(1, DatasetReader.records(jsonl, DataFormat.JSONL, 1).size(), "stops before the bad line");
        DataFileException e = assertThrows(DataFileException.class, () -> DatasetReader.records(jsonl, DataFormat.JSONL, 5));
        assertEquals(jsonl + " line 2: is not a JSON object", e.getMessage());
    }

    // ---- prompt-response (causal-lm) ----

    private static Dataset readPr(Path file) {
        return DatasetReader.readPromptResponse(file, DataFormat.AUTO, "prompt", "response");
    }

    private static DataFileException prFailure(Path file) {
        return assertThrows(DataFileException.class, () -> readPr(file));
    }

    @Test
    void readsPromptResponseJsonl() throws IOException {
        Path file = write("sft.jsonl", """
                {"prompt": "Name a fruit.", "response": "An apple.", "user": "u1"}

                {"prompt": "", "response": "Hello!", "meta": {"k": 1}}
                {"prompt": 7, "response": true, "label": null}
                """);
        Dataset data = readPr(file);
        assertEquals(3, data.size());
        assertTrue(data.isPromptResponse());
        assertEquals(List.of(), data.labels());
        assertEquals(0, data.labelCounts().length);
        assertEquals(Example.promptResponse("Name a fruit.", "An apple.",
                Map.of("prompt", "Name a fruit.", "response", "An apple.", "user", "u1")), data.examples().get(0));
        Example empty = data.examples().get(1);
        assertEquals("", empty.prompt(), "an empty prompt is allowed");
        assertEquals("", empty.text());
        assertEquals("Hello!", empty.response());
        assertEquals(0, empty.label());
        assertTrue(empty.isPromptResponse());
        assertEquals("{\"k\":1}", empty.field("meta"));
        assertEquals("7", data.examples().get(2).prompt());
        assertEquals("true", data.examples().get(2).response());
        assertEquals(Set.of("prompt", "response"), data.examples().get(2).fields().keySet(), "null fields are absent");
    }

    @Test
    void readsPromptResponseCsvTsvAndGzipWithOtherFieldNames() throws IOException {
        String csv = "instruction,output,group\n\"Say \"\"hi\"\", politely\",\"Hi,\nthere\",a\n,ok,b\n";
        String tsv = "output\tinstruction\nsure\tcan you help?\n";
        for (String name : new String[] {"a.csv", "a.csv.gz"}) {
            Dataset data = DatasetReader.readPromptResponse(write(name, csv), DataFormat.AUTO, "instruction", "output");
            assertEquals(List.of("Say \"hi\", politely", ""), data.examples().stream().map(Example::prompt).toList());
            assertEquals(List.of("Hi,\nthere", "ok"), data.examples().stream().map(Example::response).toList());
            assertEquals("b", data.examples().get(1).field("group"));
        }
        for (String name : new String[] {"a.tsv", "a.tsv.gz"}) {
            Dataset data = DatasetReader.readPromptResponse(write(name, tsv), DataFormat.AUTO, "instruction", "output");
            assertEquals(Example.promptResponse("can you help?", "sure", Map.of("instruction", "can you help?",
                    "output", "sure")), data.examples().get(0));
        }
        Path body = write("b.jsonl.gz", "{\"q\":\"a\",\"a\":\"b\"}\n{\"q\":\"c\",\"a\":\"d\"}\nnot json\n");
        assertEquals(2, DatasetReader.readPromptResponse(body, DataFormat.JSONL, "q", "a", 2).size(),
                "stops after maxExamples, before the bad line");
    }

    @Test
    void promptResponseErrorsNameFileLineAndField() throws IOException {
        Path noPrompt = write("p.jsonl", "{\"prompt\":\"a\",\"response\":\"b\"}\n{\"text\":\"a\",\"response\":\"b\"}\n");
        DataFileException e = prFailure(noPrompt);
        assertEquals(2, e.line());
        assertEquals(noPrompt + " line 2: has no prompt field \"prompt\" (fields: text, response)", e.getMessage());

        Path noResponse = write("r.csv", "prompt,answer\nx,y\n");
        e = prFailure(noResponse);
        assertEquals(noResponse + " line 2: has no response field \"response\" (fields: prompt, answer)", e.getMessage());

        Path emptyResponse = write("e.tsv", "prompt\tresponse\nok\tfine\nask\t  \n");
        e = prFailure(emptyResponse);
        assertEquals(3, e.line());
        assertEquals(emptyResponse + " line 3: response field \"response\" is empty: a causal-lm example needs a"
                + " response to learn", e.getMessage());
        assertTrue(prFailure(write("n.jsonl", "{\"prompt\":\"x\",\"response\":null}\n")).getMessage()
                .contains("has no response field"), "null is absent");

        e = prFailure(write("o.jsonl", "{\"prompt\":\"x\",\"response\":{\"a\":1}}\n"));
        assertTrue(e.getMessage().endsWith("line 1: response field \"response\" is a JSON object, not text"), e.getMessage());
        e = prFailure(write("l.jsonl", "{\"prompt\":[\"x\"],\"response\":\"y\"}\n"));
        assertTrue(e.getMessage().endsWith("line 1: prompt field \"prompt\" is a JSON array, not text"), e.getMessage());

        assertTrue(prFailure(write("bad.jsonl", "{\"prompt\":\"x\",\"response\":\"y\"}\n{\"prompt\": \n"))
                .getMessage().contains("bad.jsonl line 2: is not valid JSON"));
        assertTrue(prFailure(write("c.csv", "prompt,response\nx,y,z\n")).getMessage()
                .contains("line 2: has 3 columns, the header has 2 (prompt, response)"));
        assertTrue(prFailure(write("empty.jsonl", "\n")).getMessage().contains("has no examples"));
        assertTrue(prFailure(dir.resolve("missing.jsonl")).getMessage().endsWith("missing.jsonl: file not found"));
        Path ok = write("ok.jsonl", "{\"prompt\":\"x\",\"response\":\"y\"}\n");
        assertThrows(IllegalArgumentException.class,
                () -> DatasetReader.readPromptResponse(ok, DataFormat.AUTO, "x", "x", 10), "same field twice");
        assertThrows(IllegalArgumentException.class,
                () -> DatasetReader.readPromptResponse(ok, DataFormat.AUTO, "prompt", "response", 0));
    }

    @Test
    void classificationAndPromptResponseExamplesDoNotMix() {
        Example text = new Example("a", 1);
        Example pr = Example.promptResponse("q", "a");
        assertEquals(null, text.response());
        assertTrue(!text.isPromptResponse());
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", List.of(), List.of(text)));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", LABELS, List.of(pr)));
        assertThrows(IllegalArgumentException.class, () -> new Example("q", 1, "a", Map.of()), "no label on a response");
        assertThrows(NullPointerException.class, () -> Example.promptResponse("q", null));
        Dataset data = Dataset.promptResponse("x", List.of(pr, pr));
        assertEquals(1, data.head(1).size());
        assertTrue(data.head(1).isPromptResponse());
    }
}
