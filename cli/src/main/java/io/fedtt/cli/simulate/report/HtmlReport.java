package io.fedtt.cli.simulate.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * report.html: self-contained (inline SVG and CSS, no scripts, no network) with accuracy per round,
 * cumulative communication per round (one line per method) and a summary table.
 */
public final class HtmlReport {

    private HtmlReport() {}

    public static String render(List<RunResult> runs) {
        List<SvgLineChart.Series> acc = new ArrayList<>();
        List<SvgLineChart.Series> comm = new ArrayList<>();
        for (RunResult r : runs) {
            int n = r.rounds().size();
            double[] x = new double[n];
            double[] a = new double[n];
            double[] mb = new double[n];
            double cumulative = 0;
            for (int i = 0; i < n; i++) {
                RoundRow row = r.rounds().get(i);
                x[i] = row.round();
                a[i] = row.accuracy();
                cumulative += row.bytes();
                mb[i] = cumulative / 1e6;
            }
            acc.add(new SvgLineChart.Series(r.method(), x, a));
            comm.add(new SvgLineChart.Series(r.method(), x, mb));
        }
        String job = runs.get(0).job();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>FedTT report: ")
                .append(SvgLineChart.esc(job)).append("</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
                .append("th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}")
                .append("</style></head><body>\n<h1>FedTT report: ").append(SvgLineChart.esc(job)).append("</h1>\n");
        h.append("<h2>Summary</h2>\n<table><tr><th>method</th><th>held-out accuracy</th><th>macro-F1</th>")
                .append("<th>trainable params</th><th>params per update</th><th>MB up</th><th>MB down</th>")
                .append("<th>LoRA-equivalent MB</th><th>full-model MB</th><th>reduction vs LoRA</th><th>wall s</th></tr>\n");
        for (RunResult r : runs) {
            FinalFigures f = r.finalFigures();
            h.append(String.format(Locale.ROOT,
                    "<tr><td>%s</td><td>%s</td><td>%s</td><td>%,d</td><td>%,d</td><td>%.3f</td><td>%.3f</td>"
                            + "<td>%.2f</td><td>%.1f</td><td>%.1fx</td><td>%.0f</td></tr>%n",
                    SvgLineChart.esc(r.method()), fmt(f.accuracy()), fmt(f.macroF1()), f.trainableParameters(),
                    f.communicatedParametersPerUpdate(), f.bytesUp() / 1e6, f.bytesDown() / 1e6,
                    f.loraEquivalentBytes() / 1e6, f.fullModelBytes() / 1e6, f.reductionVsLora(), f.wallSeconds()));
        }
        h.append("</table>\n<div class=\"charts\">\n");
        h.append(SvgLineChart.render("Held-out accuracy per round", "round", "accuracy", acc));
        h.append(SvgLineChart.render("Cumulative communication", "round", "MB (up + down)", comm));
        h.append("</div>\n");
        for (RunResult r : runs) {
            h.append("<h2>Rounds: ").append(SvgLineChart.esc(r.method())).append("</h2>\n<table><tr><th>round</th>")
                    .append("<th>participants</th><th>accuracy</th><th>federated accuracy</th><th>loss</th>")
                    .append("<th>bytes up</th><th>bytes down</th><th>seconds</th></tr>\n");
            for (RoundRow row : r.rounds()) {
                h.append(String.format(Locale.ROOT,
                        "<tr><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%,d</td><td>%,d</td><td>%.1f</td></tr>%n",
                        row.round(), row.participants(), fmt(row.accuracy()), fmt(row.federatedAccuracy()),
                        fmt(row.loss()), row.bytesUp(), row.bytesDown(), row.seconds()));
            }
            h.append("</table>\n");
        }
        h.append("<p>Accuracy is measured on the manifest's held-out <code>evaluation.data</code>, which no silo trains on; ")
                .append("federated accuracy is the clients' own evaluation of the incoming global adapter, weighted by their ")
                .append("evaluation examples. Bytes are counted on the wire. LoRA-equivalent and full-model bytes are what the ")
                .append("same schedule would have sent with federated LoRA (rank 8 on q,v plus the dense classification head) ")
                .append("and with full fine-tuning.</p>\n</body></html>\n");
        return h.toString();
    }

    public static void write(List<RunResult> runs, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, render(runs), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "–";
    }
}
