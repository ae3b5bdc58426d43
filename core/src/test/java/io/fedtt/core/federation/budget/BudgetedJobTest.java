package io.fedtt.core.federation.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.TestClock;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.wire.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whole jobs under {@code communication.budgetBytes}, driven in process. Uploads are counted by the
 * coordinator as on the wire; each selected participant's download is recorded into the same meter
 * at the size of the whole adapter in float32, what a client holding nothing would fetch.
 */
class BudgetedJobTest {

    private final TestClock clock = new TestClock();

    /** One TT layer of four 5,000-value cores and a 10-value bias: 20,010 values, 80,040 bytes in float32. */
    private static AdapterState ttAdapter() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int k = 0; k < 4; k++) {
            t.put("l.cores." + k, filled(new int[] {5, 20, 50}, 0.01f * (k + 1)));
        }
        t.put("l.bias", filled(new int[] {10}, 0f));
        return new AdapterState(t, Map.of("fedtt.adapter.type", "test"));
    }

    private static Tensor filled(int[] shape, float base) {
        float[] d = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = base + 0.001f * (i % 7);
        }
        return new Tensor(shape, d);
    }

    /** A FedTT+ policy that trains every core every round, so only the budget freezes any. */
    private static FreezingPolicy allCores() {
        return new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
                return TrainableMask.of(ttAdapter().names());
            }

            @Override
            public String name() {
                return "allCores";
            }
        };
    }

    private static long wholeDownload() {
        return Encoding.FLOAT32.bytesFor(20_010);
    }

    /** Runs rounds until the job ends; returns the total bytes counted. */
    private long run(RoundCoordinator c, List<String> everyone) {
        for (int r = 1; r <= 100 && !c.status().phase().finished(); r++) {
            AdapterState g = c.global();
            List<String> selected = new ArrayList<>();
            Set<String> trainable = null;
            for (String p : everyone) {
                if (c.task(p, r - 1) instanceof TaskAnswer.Work w && w.task().round() == r) {
                    selected.add(p);
                    trainable = Set.copyOf(w.task().trainable());
                    c.traffic().record(r, p, 0, wholeDownload());
                }
            }
            for (String p : selected) {
                c.submit(p, r, Fx.updateBytes(g, trainable, p, r, DType.F32));
            }
        }
        Traffic t = c.traffic().total();
        return t.up() + t.down();
    }

    private static FederationJobSpec.Builder spec(String name, int silos, long budget) {
        return FederationJobSpec.builder(new JobId("test", name), ttAdapter())
                .silos(Fx.names("silo-", silos).toArray(String[]::new))
                .rounds(50).roundTimeout(Duration.ofMinutes(5)).budgetBytes(budget);
    }

    private RoundCoordinator open(FederationJobSpec spec) {
        return RoundCoordinator.open(spec, new MemoryRoundStore(),
                CoordinatorOptions.defaults().withClock(clock).withDriver(Runnable::run));
    }

    @Test
    void aJobThatHitsItsBudgetEndsWithBudgetExhaustedAndNeverExceedsIt() {
        long budget = 2_000_000;
        FederationJobSpec spec = spec("plain", 3, budget).build();
        RoundCoordinator c = open(spec);
        long used = run(c, Fx.names("silo-", 3));
        assertEquals(JobPhase.SUCCEEDED, c.status().phase());
        assertEquals(JobOutcome.Kind.BUDGET_EXHAUSTED, c.status().outcome().kind(), c.status().reason());
        assertTrue(c.status().completedRounds() >= 1);
        assertTrue(c.status().completedRounds() < 50);
        assertTrue(used <= budget, used + " > " + budget);
    }

    @Test
    void aBudgetBelowOneRoundEndsTheJobBeforeAnythingIsSent() {
        RoundCoordinator c = open(spec("tiny", 3, 10_000).build());
        assertEquals(JobOutcome.Kind.BUDGET_EXHAUSTED, c.status().outcome().kind());
        assertEquals(0, c.status().completedRounds());
        assertEquals(0, c.traffic().total().up() + c.traffic().total().down());
    }

    @Test
    void fedTtPlusFreezesMoreCoresRatherThanStopping() {
        // Three full rounds (about 482 KB each as counted) leave 400 KB: too little for a fourth with
        // every core (estimated 529 KB), enough for one with a single core per layer (349 KB).
        long budget = 3 * 481_776 + 400_000;
        FederationJobSpec spec = spec("plus", 3, budget).freezing("allCores", allCores()).build();
        RoundCoordinator c = open(spec);
        long used = run(c, Fx.names("silo-", 3));
        assertTrue(used <= budget, used + " > " + budget);
        List<RoundRecord> h = c.history();
        assertEquals(5, h.get(0).trainable().size()); // the policy's mask while the budget allows
        assertTrue(h.stream().anyMatch(r -> r.trainable().size() < 5), "no round froze more cores");
        // the same budget without freezing completed fewer rounds
        RoundCoordinator plain = open(spec("plain2", 3, budget).build());
        run(plain, Fx.names("silo-", 3));
        assertTrue(c.status().completedRounds() > plain.status().completedRounds(),
                c.status().completedRounds() + " vs " + plain.status().completedRounds());
        assertEquals(JobOutcome.Kind.BUDGET_EXHAUSTED, c.status().outcome().kind());
    }

    @Test
    void crossDeviceSamplesFewerClientsButNotBelowTheQuorum() {
        // Two rounds of six (about 964 KB each) leave 600 KB: room for three devices (estimated 176 KB each).
        long budget = 2 * 963_552 + 600_000;
        FederationJobSpec spec = spec("devices", 20, budget).sampling(Sampling.count(6)).minParticipants(2).build();
        RoundCoordinator c = open(spec);
        long used = run(c, Fx.names("silo-", 20));
        assertTrue(used <= budget, used + " > " + budget);
        List<RoundRecord> h = c.history();
        assertEquals(6, h.get(0).selected().size());
        assertTrue(h.stream().anyMatch(r -> r.selected().size() < 6), "no round sampled fewer");
        assertTrue(h.stream().allMatch(r -> r.selected().size() >= 2));
        assertEquals(JobOutcome.Kind.BUDGET_EXHAUSTED, c.status().outcome().kind());
    }
    /**
     * Round 1's first try fails (silo-2 is silent at the deadline). With a budget that fits the round
     * once, the retry, which would ask silo-2 again, does not fit: the job ends BudgetExhausted instead
     * of overrunning. With room for it, the retry runs and the round completes.
     */
    @Test
    void aRetryThatWouldNotFitEndsTheJobAndOneThatFitsRuns() {
        long each = RoundCostModel.perParticipant(TrainableMask.of(ttAdapter().names()), ttAdapter(), Encoding.FLOAT32,
                List.of(), false);
        for (long budget : new long[] {3 * each, 6 * each}) {
            RoundCoordinator c = open(spec("retry-" + budget, 3, budget).build());
            AdapterState g = c.global();
            for (String p : Fx.names("silo-", 3)) {
                c.task(p, 0);
                c.traffic().record(1, p, 0, wholeDownload());
            }
            for (String p : Fx.names("silo-", 2)) {
                c.submit(p, 1, Fx.updateBytes(g, g.names(), p, 1, DType.F32));
            }
            clock.advance(Duration.ofMinutes(6));
            c.checkDeadline();
            Traffic t = c.traffic().total();
            if (budget == 3 * each) {
                assertEquals(JobOutcome.Kind.BUDGET_EXHAUSTED, c.status().outcome().kind(), c.status().reason());
                assertTrue(c.status().reason().contains("retry"), c.status().reason());
                assertTrue(t.up() + t.down() <= budget);
            } else {
                assertFalse(c.status().phase().finished(), c.status().reason());
                assertEquals(1, c.status().attempt());
                assertEquals(List.of("silo-2"), Fx.names("silo-", 3).stream()
                        .filter(p -> c.task(p, 0) instanceof TaskAnswer.Work).toList());
                c.submit("silo-2", 1, Fx.updateBytes(g, g.names(), "silo-2", 1, DType.F32));
                assertEquals(1, c.status().completedRounds());
            }
        }
    }
}
