package io.fedtt.cli.simulate.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes results.json: one run's fields at the top level, and with several runs (--compare) a
 * {@code runs} list of the same objects. NaN (not evaluated) is written as null.
 */
public final class ResultsJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultsJson() {}

    public static ObjectNode toJson(List<RunResult> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to write");
        }
        if (runs.size() == 1) {
            return run(runs.get(0));
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("job", runs.get(0).job());
        ArrayNode list = root.putArray("runs");
        runs.forEach(r -> list.add(run(r)));
        return root;
    }

    public static void write(List<RunResult> runs, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), toJson(runs));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ObjectNode run(RunResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("job", r.job());
        o.put("method", r.method());
        if (r.training() != null) {
            RunResult.Training t = r.training();
            ObjectNode tr = o.putObject("training");
            tr.put("serverOptimizer", t.serverOptimizer());
            tr.put("aggregation", t.aggregation());
            tr.put("proximalMu", t.proximalMu());
            tr.put("learningRate", t.learningRate());
            tr.put("learningRateDecay", t.learningRateDecay());
            tr.put("headLearningRate", t.headLearningRate());
            tr.put("head", t.head());
            tr.put("seed", t.seed());
            tr.put("encoding", t.encoding());
            if (!t.causalLm()) {
                tr.put("logitAdjustment", t.logitAdjustment());
            }
            if (t.secureAggregationThreshold() > 0) {
                tr.putObject("secureAggregation").put("threshold", t.secureAggregationThreshold());
            }
        }
        ArrayNode rounds = o.putArray("rounds");
        for (RoundRow row : r.rounds()) {
            ObjectNode n = rounds.addObject();
            n.put("round", row.round());
            n.put("participants", row.participants());
            number(n, "accuracy", row.accuracy());
            number(n, "federatedAccuracy", row.federatedAccuracy());
            number(n, "loss", row.loss());
            n.put("bytesUp", row.bytesUp());
            n.put("bytesDown", row.bytesDown());
            n.put("seconds", round3(row.seconds()));
            if (r.privacy() != null) {
                number(n, "epsilon", row.epsilon());
            }
        }
        FinalFigures f = r.finalFigures();
        ObjectNode fin = o.putObject("final");
        number(fin, "accuracy", f.accuracy());
        number(fin, "macroF1", f.macroF1());
        fin.put("bytesUp", f.bytesUp());
        fin.put("bytesDown", f.bytesDown());
        fin.put("trainableParameters", f.trainableParameters());
        fin.put("communicatedParametersPerUpdate", f.communicatedParametersPerUpdate());
        fin.put("loraEquivalentBytes", f.loraEquivalentBytes());
        fin.put("fullModelBytes", f.fullModelBytes());
        number(fin, "reductionVsLora", f.reductionVsLora());
        fin.put("wallSeconds", round3(f.wallSeconds()));
        if (r.privacy() != null) {
            RunResult.Privacy p = r.privacy();
            ObjectNode pr = fin.putObject("privacy");
            pr.put("mode", p.mode());
            number(pr, "epsilon", p.epsilon());
            pr.put("delta", p.delta());
            pr.put("clipNorm", p.clipNorm());
            pr.put("noiseMultiplier", p.noiseMultiplier());
            number(pr, "targetEpsilon", p.targetEpsilon());
            pr.put("budgetExhausted", p.budgetExhausted());
            pr.put("accountant", "RDP, sampled Gaussian (Mironov et al. 2019), Balle et al. 2020 conversion");
        }
        if (r.budget() != null) {
            RunResult.Budget b = r.budget();
            ObjectNode bu = fin.putObject("budget");
            bu.put("budgetBytes", b.budgetBytes());
            bu.put("usedBytes", b.usedBytes());
            bu.put("remainingBytes", b.remainingBytes());
            bu.put("exhausted", b.exhausted());
        }
        return o;
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }

    private static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
