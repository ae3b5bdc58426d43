package io.fedtt.cli.simulate.report;

import java.util.List;

/** One method's run: its per-round rows (round 0 first) and its final figures. */
public record RunResult(String job, String method, RunSettings settings, List<RoundRow> rounds,
                        FinalFigures finalFigures) {

    public RunResult {
        rounds = List.copyOf(rounds);
    }
}
