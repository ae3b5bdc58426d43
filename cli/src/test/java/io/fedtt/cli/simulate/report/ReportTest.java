package io.fedtt.cli.simulate.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static RunResult run(String method, double scale) {
        List<RoundRow> rows = List.of(
                new RoundRow(0, 0, 0.70, Double.NaN, 0.69, 0, 0, 0),
                new RoundRow(1, 3, 0.90, 0.88, 0.30, (long) (1000 * scale), (long) (3000 * scale), 12.5),
                new RoundRow(2, 3, 0.95, 0.93, 0.15, (long) (1000 * scale), (long) (3000 * scale), 11.0));
        FinalFigures f = new FinalFigures(0.95, 0.94, (long) (2000 * scale), (long) (6000 * scale), 1234, 1000,
                80000, 9_000_000, 10.0, 24.0);
        return new RunResult("quickstart", method, rows, f, null);
    }

    @Test
    void singleRunHasTheDocumentedFieldsAtTopLevel(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results.json");
        ResultsJson.write(List.of(run("FedTT", 1)), file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("FedTT", json.get("method").asText());
        JsonNode r1 = json.get("rounds").get(1);
        for (String field : List.of("round", "participants", "accuracy", "loss", "bytesUp", "bytesDown", "seconds")) {
            assertTrue(r1.has(field), field);
        }
        assertTrue(json.get("rounds").get(0).get("federatedAccuracy").isNull(), "NaN is written as null");
        JsonNode fin = json.get("final");
        for (String field : List.of("accuracy", "macroF1", "bytesUp", "bytesDown", "trainableParameters",
                "communicatedParametersPerUpdate", "loraEquivalentBytes", "fullModelBytes", "reductionVsLora")) {
            assertTrue(fin.has(field), field);
        }
        assertEquals(8000, fin.get("bytesUp").asLong() + fin.get("bytesDown").asLong());
        assertFalse(Files.exists(dir.resolve("results.json.tmp")));
    }

    @Test
    void theRunSaysWhichServerOptimizerMuAndScheduleRan() {
        RunResult plain = run("FedTT", 1);
        RunResult r = new RunResult(plain.job(), plain.method(), plain.rounds(), plain.finalFigures(),
                new RunResult.Training("fedadam(lr=0.01,b1=0.9,b2=0.99,tau=0.001)", "fedavg", 0.01, 5e-3, "cosine",
                        5e-2, "linear", 7));
        JsonNode t = ResultsJson.toJson(List.of(r)).get("training");
        assertEquals("fedadam(lr=0.01,b1=0.9,b2=0.99,tau=0.001)", t.get("serverOptimizer").asText());
        assertEquals("fedavg", t.get("aggregation").asText());
        assertEquals(0.01, t.get("proximalMu").asDouble());
        assertEquals(5e-3, t.get("learningRate").asDouble());
        assertEquals("cosine", t.get("learningRateDecay").asText());
        assertFalse(ResultsJson.toJson(List.of(plain)).has("training"), "a run without details writes none");
    }

    @Test
    void compareWritesOneObjectPerMethod() {
        JsonNode json = ResultsJson.toJson(List.of(run("FedTT", 1), run("LoRA", 10)));
        assertEquals(2, json.get("runs").size());
        assertEquals("LoRA", json.get("runs").get(1).get("method").asText());
    }

    @Test
    void htmlIsSelfContainedWithOneLinePerMethodInEachChart() {
        String html = HtmlReport.render(List.of(run("FedTT", 1), run("LoRA", 10)));
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "no network references besides the SVG namespace");
        assertFalse(html.contains("<script"));
        assertEquals(2, html.split("<svg", -1).length - 1, "two charts");
        assertEquals(4, html.split("<polyline", -1).length - 1, "two methods in each of two charts");
        assertTrue(html.contains("LoRA") && html.contains("FedTT"));
    }

    @Test
    void ticksAreRoundNumbersCoveringTheRange() {
        assertArrayEquals(new double[] {0.6, 0.7, 0.8, 0.9, 1.0}, SvgLineChart.ticks(0.62, 0.97), 1e-9);
        double[] t = SvgLineChart.ticks(0, 10);
        assertEquals(0, t[0]);
        assertEquals(10, t[t.length - 1]);
    }

    @Test
    void eachRunsTableCountsItsOwnCumulativeBytes() {
        var buf = new java.io.ByteArrayOutputStream();
        ConsoleTable table = new ConsoleTable(new java.io.PrintStream(buf, true), false);
        for (String method : List.of("FedTT", "LoRA")) {
            table.header(method);
            table.row(new RoundRow(1, 3, Double.NaN, Double.NaN, Double.NaN, 1_000_000, 500_000, 1.0));
            table.row(new RoundRow(2, 3, Double.NaN, Double.NaN, Double.NaN, 1_000_000, 500_000, 1.0));
        }
        List<String> totals = buf.toString().lines().filter(l -> l.matches("\\s+\\d+\\s+3\\s.*"))
                .map(l -> l.trim().split("\\s+")[6]).toList();
        assertEquals(List.of("1.500", "3.000", "1.500", "3.000"), totals, buf.toString());
    }
}
