package io.fedtt.core.federation.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.TestClock;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.core.federation.strategy.TaskConfig;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability, including stores written before the strategy seam: {@code stores/format1-mid-round}
 * was written by the coordinator of commit 0320406 (its generator is next to it): round 1 completed,
 * round 2's first try failed below the quorum, its retry holds two acknowledged updates. The old
 * code, carried on from there, ended with the global adapter in {@code final-digest.txt}.
 */
class CoordinatorPersistenceTest {

    /** The job the stored files belong to, as the generator built it. */
    private static FederationJobSpec format1Spec() {
        FreezingPolicy alternate = new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> e) {
                return TrainableMask.of(round % 2 == 1 ? List.of("a.core0", "a.core1") : List.of("b.bias", "head.w"));
            }

            @Override
            public String name() {
                return "alternate";
            }
        };
        return FederationJobSpec.builder(new JobId("compat", "format1"), Fx.smallAdapter())
                .participants(List.of(new Participant("silo-0", 1.0), new Participant("silo-1", 2.0),
                        new Participant("silo-2", 0.5)))
                .rounds(3).minParticipants(2).roundTimeout(Duration.ofMinutes(5))
                .freezing("alternate", alternate).build();
    }

    private static Path format1Store(Path into) throws IOException, URISyntaxException {
        Path from = Path.of(CoordinatorPersistenceTest.class.getResource("/stores/format1-mid-round/store").toURI());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = into.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return into;
    }

    @Test
    void readsASnapshotHistoryAndUpdatesWrittenByTheCoordinatorBeforeTheSeam(@TempDir Path dir) throws Exception {
        CoordinatorPersistence p = new CoordinatorPersistence(format1Spec(), new FileRoundStore(format1Store(dir)), false);
        CoordinatorPersistence.Restored r = p.restore().orElseThrow();
        CoordinatorSnapshot s = r.snapshot();
        assertEquals(JobPhase.RUNNING, s.phase());
        assertEquals(2, s.round());
        assertEquals(1, s.attempt());
        assertEquals(List.of("b.bias", "head.w"), s.trainable());
        assertEquals(List.of("silo-1", "silo-2"), s.avoid());
        assertEquals(1000, s.bytesUp());
        assertNull(s.task(), "older stores have no task parameters");
        assertNull(s.strategyState(), "older stores have no strategy state");
        assertEquals(List.of(RoundRecord.Outcome.COMPLETED, RoundRecord.Outcome.FAILED),
                r.history().stream().map(RoundRecord::outcome).toList());
        assertEquals(1, r.global().version());
        assertEquals(s.globalDigest(), r.global().digest());

        List<String> fed = new ArrayList<>();
        var expected = new UpdateValidator.Expected(2, r.global().adapter(), TrainableMask.of(s.trainable()), DType.F32,
                Long.MAX_VALUE);
        p.refeed(java.util.Set.copyOf(s.selected()), expected, (who, sha, valid) -> {
            fed.add(who);
            assertEquals(List.of("b.bias", "head.w"), List.copyOf(valid.update().names()));
        });
        assertEquals(List.of("silo-0", "silo-1"), fed, "each stored update once, in participant order");
    }

    @Test
    void aCoordinatorResumedFromAnOlderStoreEndsWithTheSameAdapterAsTheOldCode(@TempDir Path dir) throws Exception {
        TestClock clock = new TestClock(1_800_000_400_000L);
        CoordinatorOptions o = CoordinatorOptions.defaults().withClock(clock).withDriver(Runnable::run);
        RoundCoordinator c = RoundCoordinator.open(format1Spec(), new FileRoundStore(format1Store(dir)), o);
        assertEquals(2, c.status().round());
        assertEquals(1, c.status().attempt());
        assertEquals(List.of("silo-0", "silo-1"), c.received());
        assertEquals(1000, c.status().bytesUp());
        assertEquals(3000, c.status().bytesDown());
        submit(c, 2, "silo-2");
        submit(c, 3, "silo-0", "silo-1", "silo-2");
        assertEquals(JobPhase.SUCCEEDED, c.status().phase());
        String oldFinal = new String(CoordinatorPersistenceTest.class
                .getResourceAsStream("/stores/format1-mid-round/final-digest.txt").readAllBytes()).trim();
        assertEquals(oldFinal, c.status().globalDigest(), "aggregation is bit-identical to the code before the seam");
        assertEquals(4, c.history().size());
        c.close();
    }

    @Test
    void newSnapshotFieldsSurviveARoundTrip() {
        MemoryRoundStore store = new MemoryRoundStore();
        FederationJobSpec spec = format1Spec();
        CoordinatorPersistence p = new CoordinatorPersistence(spec, store, false);
        GlobalVersion v0 = GlobalVersion.of(spec, 0, spec.initialGlobal());
        p.putGlobal(v0);
        TaskConfig task = new TaskConfig(7, 0, 32, 0.005, 0.01);
        byte[] state = {1, 2, 3, -1};
        p.save(new CoordinatorSnapshot(CoordinatorSnapshot.FORMAT, "compat/format1", JobPhase.RUNNING, "", 1, 0, 0,
                v0.digest(), 5L, List.of("silo-0"), List.of(), List.of("head.w"), 0, 0, 0, null, task, state));
        CoordinatorSnapshot back = p.restore().orElseThrow().snapshot();
        assertEquals(task, back.task());
        assertArrayEquals(state, back.strategyState());
        assertEquals(v0.adapter(), p.restore().orElseThrow().global().adapter());
    }

    @Test
    void aTaskSavedBeforeTheProximalTermReadsAsMuZero() {
        byte[] json = new CoordinatorSnapshot(CoordinatorSnapshot.FORMAT, "compat/format1", JobPhase.RUNNING, "", 1, 0,
                0, "00".repeat(32), 5L, List.of("silo-0"), List.of(), List.of("head.w"), 0, 0, 0, null,
                new TaskConfig(7, 0, 32, 0.005, 0.25), null).toJson();
        String old = new String(json, java.nio.charset.StandardCharsets.UTF_8).replace(",\"proximalMu\":0.25", "");
        assertFalse(old.contains("proximalMu"), old);
        assertEquals(new TaskConfig(7, 0, 32, 0.005), CoordinatorSnapshot.fromJson(old.getBytes(), "test").task());
    }

    @Test
    void aStoreOfAnotherJobOrWithAChangedGlobalIsRefusedByName(@TempDir Path dir) throws Exception {
        FederationJobSpec other = FederationJobSpec.builder(new JobId("compat", "other"), Fx.smallAdapter())
                .silos("silo-0").build();
        Path store = format1Store(dir);
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> new CoordinatorPersistence(other, new FileRoundStore(store), false).restore());
        assertTrue(e.getMessage().contains("holds job compat/format1, not compat/other"), e.getMessage());

        MemoryRoundStore mem = new MemoryRoundStore();
        FederationJobSpec spec = format1Spec();
        CoordinatorPersistence p = new CoordinatorPersistence(spec, mem, false);
        p.putGlobal(GlobalVersion.of(spec, 0, spec.initialGlobal()));
        p.save(new CoordinatorSnapshot(CoordinatorSnapshot.FORMAT, "compat/format1", JobPhase.RUNNING, "", 1, 0, 0,
                "00".repeat(32), 5L, List.of("silo-0"), List.of(), List.of("head.w"), 0, 0, 0, null, null, null));
        e = assertThrows(StoreCorruptedException.class, p::restore);
        assertTrue(e.getMessage().contains("global adapter version 0 has sha256"), e.getMessage());
        assertFalse(new CoordinatorPersistence(spec, new MemoryRoundStore(), false).restore().isPresent());
    }

    private static void submit(RoundCoordinator c, int round, String... who) {
        AdapterState g = c.global();
        List<String> trainable = ((TaskAnswer.Work) c.task(who[0], round - 1)).task().trainable();
        for (String p : who) {
            c.submit(p, round, Fx.updateBytes(g, trainable, p, round, DType.F32));
        }
    }
}
