package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.strategy.ParticipantSampler;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.coordinator.RoundListener;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator on its own: synchronous driver, a clock moved by hand, no HTTP. */
class RoundCoordinatorTest {

    private final TestClock clock = new TestClock();

    private CoordinatorOptions options() {
        return CoordinatorOptions.defaults().withClock(clock).withDriver(Runnable::run);
    }

    private static FederationJobSpec.Builder spec(String name, int silos) {
        return FederationJobSpec.builder(new JobId("test", name), Fx.smallAdapter())
                .silos(Fx.names("silo-", silos).toArray(String[]::new))
                .rounds(3)
                .roundTimeout(Duration.ofMinutes(5));
    }

    private static void submitRound(RoundCoordinator c, int round, List<String> who) {
        AdapterState g = c.global();
        Set<String> trainable = Set.copyOf(((TaskAnswer.Work) c.task(who.get(0), round - 1)).task().trainable());
        for (String p : who) {
            UploadReceipt r = c.submit(p, round, Fx.updateBytes(g, trainable, p, round, DType.F32));
            assertFalse(r.duplicate());
        }
    }

    @Test
    void fullRoundsMatchAnIndependentWeightedAverageAndStop() {
        List<Participant> ps = List.of(new Participant("silo-0", 1.0), new Participant("silo-1", 2.0),
                new Participant("silo-2", 0.5));
        FederationJobSpec spec = spec("full", 3).participants(ps).build();
        List<String> events = new ArrayList<>();
        RoundListener l = new RoundListener() {
            @Override
            public void roundOpened(JobId job, int round, int attempt, int selected) {
                events.add("open " + round);
            }

            @Override
            public void roundCompleted(JobId job, RoundRecord record) {
                events.add("done " + record.round());
            }

            @Override
            public void jobFinished(JobId job, JobStatus status) {
                events.add("finished " + status.phase());
            }
        };
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), options().withListener(l));
        Map<String, Double> weights = Map.of("silo-0", 1.0, "silo-1", 2.0, "silo-2", 0.5);
        AdapterState expected = Fx.smallAdapter();
        for (int r = 1; r <= 3; r++) {
            submitRound(c, r, List.of("silo-2", "silo-0", "silo-1"));
            expected = Fx.expectedRound(expected, expected.names(), weights, r);
        }
        assertTrue(Fx.maxAbsDiff(expected, c.global()) < 1e-6, "diff " + Fx.maxAbsDiff(expected, c.global()));
        JobStatus st = c.status();
        assertEquals(JobPhase.SUCCEEDED, st.phase());
        assertTrue(st.reason().startsWith("RoundsCompleted"), st.reason());
        assertEquals(3, st.completedRounds());
        assertEquals(List.of("open 1", "done 1", "open 2", "done 2", "open 3", "done 3", "finished SUCCEEDED"), events);
        List<RoundRecord> h = c.history();
        assertEquals(3, h.size());
        RoundRecord r2 = h.get(1);
        assertEquals(List.of("silo-0", "silo-1", "silo-2"), r2.participants());
        assertTrue(r2.stragglers().isEmpty());
        // Federated evaluation: mean of the reported accuracies weighted by eval examples.
        double num = 0;
        double den = 0;
        for (String p : weights.keySet()) {
            EvalMetrics m = Fx.eval(p, 2);
            num += m.accuracy() * m.examples();
            den += m.examples();
        }
        assertEquals(num / den, r2.federated().accuracy(), 1e-12);
        assertEquals(num / den, r2.accuracy(), 1e-12);
        assertEquals((long) den, r2.federated().examples());
        assertInstanceOf(TaskAnswer.Done.class, c.task("silo-0", 0));
    }

    @Test
    void deadlineWithQuorumClosesTheRoundAndMarksStragglers() {
        RoundCoordinator c = RoundCoordinator.open(spec("quorum", 4).minParticipants(3).build(), new MemoryRoundStore(), options());
        submitRound(c, 1, List.of("silo-0", "silo-1", "silo-2"));
        c.checkDeadline();
        assertEquals(1, c.status().round(), "nothing happens before the deadline");
        clock.advance(Duration.ofMinutes(5));
        c.checkDeadline();
        assertEquals(2, c.status().round());
        RoundRecord r1 = c.history().get(0);
        assertTrue(r1.completed());
        assertEquals(List.of("silo-3"), r1.stragglers());
        assertEquals(List.of("silo-0", "silo-1", "silo-2"), r1.participants());
        Map<String, Double> w = new TreeMap<>(Map.of("silo-0", 1.0, "silo-1", 1.0, "silo-2", 1.0));
        AdapterState expected = Fx.expectedRound(Fx.smallAdapter(), Fx.smallAdapter().names(), w, 1);
        assertTrue(Fx.maxAbsDiff(expected, c.global()) < 1e-6);
        // The straggler's late upload for round 1 is refused as gone, and counts nowhere.
        Rejection late = assertThrows(Rejection.class,
                () -> c.submit("silo-3", 1, Fx.updateBytes(Fx.smallAdapter(), Fx.smallAdapter().names(), "silo-3", 1, DType.F32)));
        assertEquals(Rejection.Kind.GONE, late.kind());
        assertTrue(c.received().isEmpty());
    }

    @Test
    void belowQuorumTheRoundFailsIsRetriedKeepingUpdatesThenTheJobFails() {
        RoundCoordinator c = RoundCoordinator.open(spec("retry", 4).minParticipants(3).maxRoundRetries(1).build(),
                new MemoryRoundStore(), options());
        submitRound(c, 1, List.of("silo-0", "silo-1"));
        clock.advance(Duration.ofMinutes(5));
        c.checkDeadline();
        JobStatus st = c.status();
        assertEquals(JobPhase.RUNNING, st.phase());
        assertEquals(1, st.round());
        assertEquals(1, st.attempt());
        RoundRecord failed = c.history().get(0);
        assertEquals(RoundRecord.Outcome.FAILED, failed.outcome());
        assertTrue(failed.reason().startsWith("QuorumNotReached: 2 of 4 updates by the deadline, quorum 3"), failed.reason());
        assertEquals(List.of("silo-2", "silo-3"), failed.stragglers());
        // The retry keeps the two accepted updates; a silent silo gets the task again.
        assertEquals(List.of("silo-0", "silo-1"), c.received());
        assertInstanceOf(TaskAnswer.Work.class, c.task("silo-2", 0));
        assertInstanceOf(TaskAnswer.Waiting.class, c.task("silo-0", 0));
        clock.advance(Duration.ofMinutes(5));
        c.checkDeadline();
        st = c.status();
        assertEquals(JobPhase.FAILED, st.phase());
        assertTrue(st.reason().startsWith("RoundFailed: round 1 failed 2 time(s)"), st.reason());
        TaskAnswer.Done done = assertInstanceOf(TaskAnswer.Done.class, c.task("silo-3", 0));
        assertEquals(JobPhase.FAILED, done.phase());
        assertEquals(0, done.finalVersion());
    }

    @Test
    void retriedRoundCompletesWithTheKeptAndTheNewUpdates() {
        RoundCoordinator c = RoundCoordinator.open(spec("retry-ok", 3).minParticipants(3).maxRoundRetries(2).rounds(1).build(),
                new MemoryRoundStore(), options());
        submitRound(c, 1, List.of("silo-0"));
        clock.advance(Duration.ofMinutes(6));
        c.checkDeadline();
        submitRound(c, 1, List.of("silo-1", "silo-2"));
        assertEquals(JobPhase.SUCCEEDED, c.status().phase());
        Map<String, Double> w = Map.of("silo-0", 1.0, "silo-1", 1.0, "silo-2", 1.0);
        assertTrue(Fx.maxAbsDiff(Fx.expectedRound(Fx.smallAdapter(), Fx.smallAdapter().names(), w, 1), c.global()) < 1e-6);
        assertEquals(2, c.history().size());
        assertEquals(1, c.history().get(1).attempt());
    }

    @Test
    void identicalRepeatCountsOnceAndADifferentOneConflicts() {
        RoundCoordinator c = RoundCoordinator.open(spec("dup", 2).build(), new MemoryRoundStore(), options());
        AdapterState g = c.global();
        byte[] u = Fx.updateBytes(g, g.names(), "silo-0", 1, DType.F32);
        assertFalse(c.submit("silo-0", 1, u).duplicate());
        UploadReceipt again = c.submit("silo-0", 1, u);
        assertTrue(again.duplicate());
        assertEquals(1, again.received());
        Rejection conflict = assertThrows(Rejection.class,
                () -> c.submit("silo-0", 1, Fx.updateBytes(g, g.names(), "silo-0", 2, DType.F32)));
        assertEquals(Rejection.Kind.CONFLICT, conflict.kind());
        assertEquals(Rejection.Kind.NOT_FOUND, assertThrows(Rejection.class, () -> c.submit("silo-1", 2, u)).kind());
        assertEquals(Rejection.Kind.NOT_FOUND, assertThrows(Rejection.class, () -> c.submit("nobody", 1, u)).kind());
        assertEquals(List.of("silo-0"), c.received());
    }

    @Test
    void stopsWhenTheCentralAccuracyReachesTheTarget() {
        FederationJobSpec spec = spec("target", 2).rounds(10).targetAccuracy(0.8).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(),
                options().withEvaluator((round, global) -> new EvalMetrics(0.5 + 0.1 * round, 1.0, 100)));
        for (int r = 1; r <= 3; r++) {
            submitRound(c, r, List.of("silo-0", "silo-1"));
        }
        JobStatus st = c.status();
        assertEquals(JobPhase.SUCCEEDED, st.phase());
        assertTrue(st.reason().startsWith("TargetAccuracyReached"), st.reason());
        assertEquals(3, st.completedRounds());
        assertEquals(0.8, c.history().get(2).central().accuracy(), 1e-12);
        assertEquals(0.8, st.bestAccuracy(), 1e-12);
    }

    @Test
    void stopsWhenAccuracyHasNotImprovedForPatienceRounds() {
        double[] acc = {0, 0.6, 0.7, 0.65, 0.69, 0.7, 0.9};
        FederationJobSpec spec = spec("patience", 1).rounds(10).patience(3).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(),
                options().withEvaluator((round, global) -> new EvalMetrics(acc[round], 1.0, 10)));
        for (int r = 1; r <= 5; r++) {
            submitRound(c, r, List.of("silo-0"));
        }
        JobStatus st = c.status();
        assertEquals(JobPhase.SUCCEEDED, st.phase());
        assertTrue(st.reason().startsWith("NoImprovement: best accuracy 0.7000 at round 2"), st.reason());
        assertEquals(5, st.completedRounds());
    }

    @Test
    void crossDeviceSamplesAreReproducibleAndVary() {
        List<String> names = Fx.names("dev-", 1000);
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("test", "xdev"), Fx.smallAdapter())
                .participants(names.stream().map(Participant::of).toList())
                .sampling(Sampling.count(20)).minParticipants(10).rounds(3).build();
        List<String> r1 = ParticipantSampler.select(spec, 1);
        assertEquals(20, r1.size());
        assertEquals(r1, ParticipantSampler.select(spec, 1));
        assertNotEquals(r1, ParticipantSampler.select(spec, 2));
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), options());
        assertEquals(r1, c.selected());
        String outsider = names.stream().filter(n -> !r1.contains(n)).findFirst().orElseThrow();
        assertInstanceOf(TaskAnswer.Waiting.class, c.task(outsider, 0));
        Rejection notSelected = assertThrows(Rejection.class, () -> c.submit(outsider, 1,
                Fx.updateBytes(c.global(), c.global().names(), outsider, 1, DType.F32)));
        assertEquals(Rejection.Kind.FORBIDDEN, notSelected.kind());
        // A retry keeps who reported and replaces the silent ones with fresh picks.
        submitRound(c, 1, r1.subList(0, 5));
        clock.advance(Duration.ofMinutes(11));
        c.checkDeadline();
        List<String> retry = c.selected();
        assertEquals(20, retry.size());
        assertTrue(retry.containsAll(r1.subList(0, 5)));
        Set<String> fresh = new HashSet<>(retry);
        fresh.removeAll(r1);
        assertEquals(15, fresh.size(), "silent participants are replaced");
        String replaced = r1.stream().filter(p -> !retry.contains(p)).findFirst().orElseThrow();
        Rejection gone = assertThrows(Rejection.class, () -> c.submit(replaced, 1,
                Fx.updateBytes(c.global(), c.global().names(), replaced, 1, DType.F32)));
        assertEquals(Rejection.Kind.GONE, gone.kind(), gone.getMessage());
        assertEquals(Sampling.fraction(0.1).perRound(1000), 100);
    }

    @Test
    void freezingMaskDecidesWhatTravelsAndPartialAdaptersHoldOnlyChangedTensors() {
        // Alternate: odd rounds train the cores, even rounds the bias and head.
        FreezingPolicy alternate = new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
                assertEquals(round - 1, energyHistory.size(), "energy of every completed round is passed");
                return TrainableMask.of(round % 2 == 1 ? List.of("a.core0", "a.core1") : List.of("b.bias", "head.w"));
            }

            @Override
            public String name() {
                return "alternate";
            }
        };
        FederationJobSpec spec = spec("frozen", 2).rounds(4).freezing("alternate", alternate).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), options());
        RoundTask t1 = ((TaskAnswer.Work) c.task("silo-0", 0)).task();
        assertEquals(List.of("a.core0", "a.core1"), t1.trainable());
        // A frozen tensor in an upload is refused.
        byte[] withFrozen = Fx.updateBytes(c.global(), List.of("a.core0", "a.core1", "head.w"), "silo-0", 1, DType.F32);
        Rejection r = assertThrows(Rejection.class, () -> c.submit("silo-0", 1, withFrozen));
        assertEquals(Rejection.Kind.INVALID, r.kind());
        assertTrue(r.getMessage().contains("'head.w' is frozen in round 1"), r.getMessage());
        submitRound(c, 1, List.of("silo-0", "silo-1"));
        submitRound(c, 2, List.of("silo-0", "silo-1"));
        // Round 3's adapter for a client holding round 2's: only what round 2 changed.
        AdapterState since2 = SafetensorsCodec.decode(c.adapter("silo-0", 3, 2).body());
        assertEquals(Set.of("b.bias", "head.w"), since2.names());
        AdapterState since1 = SafetensorsCodec.decode(c.adapter("silo-0", 3, 1).body());
        assertEquals(c.global().names(), since1.names());
        assertEquals(Rejection.Kind.GONE, assertThrows(Rejection.class, () -> c.adapter("silo-0", 2, 0)).kind());
        assertEquals(Rejection.Kind.NOT_FOUND, assertThrows(Rejection.class, () -> c.adapter("silo-0", 4, 0)).kind());
        RoundRecord rec = c.history().get(0);
        assertEquals(List.of("a.core0", "a.core1"), rec.trainable());
        assertEquals(0.0, rec.energy().get("head.w"), 0.0);
        assertTrue(rec.energy().get("a.core0") > 0);
    }

    @Test
    void restartResumesTheOpenRoundWithAcknowledgedUpdatesOnce(@TempDir Path dir) {
        FederationJobSpec spec = spec("resume", 3).build();
        RoundCoordinator first = RoundCoordinator.open(spec, new FileRoundStore(dir), options());
        submitRound(first, 1, List.of("silo-0", "silo-1", "silo-2"));
        submitRound(first, 2, List.of("silo-0", "silo-2"));
        AdapterState globalAfter1 = first.global();
        first.close();

        clock.advance(Duration.ofHours(1)); // the downtime must not expire the resumed round
        RoundCoordinator second = RoundCoordinator.open(spec, new FileRoundStore(dir), options());
        assertEquals(2, second.status().round());
        assertEquals(List.of("silo-0", "silo-2"), second.received());
        assertEquals(globalAfter1, second.global());
        assertTrue(second.deadlineMillis() > clock.millis());
        assertTrue(second.submit("silo-0", 2, Fx.updateBytes(globalAfter1, globalAfter1.names(), "silo-0", 2, DType.F32)).duplicate());
        assertInstanceOf(TaskAnswer.Waiting.class, second.task("silo-0", 0));
        assertInstanceOf(TaskAnswer.Work.class, second.task("silo-1", 0));
        submitRound(second, 2, List.of("silo-1"));
        submitRound(second, 3, List.of("silo-0", "silo-1", "silo-2"));
        assertEquals(JobPhase.SUCCEEDED, second.status().phase());
        Map<String, Double> w = Map.of("silo-0", 1.0, "silo-1", 1.0, "silo-2", 1.0);
        AdapterState expected = Fx.smallAdapter();
        for (int r = 1; r <= 3; r++) {
            expected = Fx.expectedRound(expected, expected.names(), w, r);
        }
        assertTrue(Fx.maxAbsDiff(expected, second.global()) < 1e-6);
        assertEquals(3, second.history().size());

        RoundCoordinator third = RoundCoordinator.open(spec, new FileRoundStore(dir), options());
        assertEquals(JobPhase.SUCCEEDED, third.status().phase());
        assertEquals(second.global().tensors(), third.global().tensors());
    }
}
