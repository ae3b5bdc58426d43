package io.fedtt.core.federation.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's traffic counters survive a coordinator restart: totals, the rejected bytes, and the
 * open round's per-participant tally, saved with the round state after each accepted update.
 */
class TrafficRestartTest {

    private static final List<String> SILOS = Fx.names("silo-", 3);

    private static RoundCoordinator open(Path dir) {
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("team-a", "restart"), Fx.smallAdapter())
                .silos(SILOS.toArray(String[]::new)).rounds(2).roundTimeout(Duration.ofMinutes(10)).build();
        return RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults().withDriver(Runnable::run));
    }

    private static byte[] update(RoundCoordinator c, String silo, int round) {
        AdapterState g = c.global();
        List<String> trainable = ((TaskAnswer.Work) c.task(silo, round - 1)).task().trainable();
        return Fx.updateBytes(g, trainable, silo, round, DType.F32);
    }

    @Test
    void countersAndTheOpenRoundsTallyResumeAfterARestart(@TempDir Path dir) {
        RoundCoordinator c = open(dir);
        // What the server counts for silo-0 in round 1: the adapter it downloaded, a refused body.
        c.traffic().record(1, "silo-0", 0, 700);
        c.traffic().recordRejected(90, 40);
        byte[] u0 = update(c, "silo-0", 1);
        c.submit("silo-0", 1, u0);
        Traffic before = c.traffic().total();
        c.close();

        RoundCoordinator again = open(dir);
        assertEquals(List.of("silo-0"), again.received());
        assertEquals(before, again.traffic().total(), "totals after the restart");
        assertEquals(new Traffic(u0.length, 700), before);
        assertEquals(u0.length, again.status().bytesUp());
        assertEquals(700, again.status().bytesDown());
        assertEquals(new Traffic(90, 40), again.traffic().rejected());
        assertEquals(new Traffic(u0.length, 700), again.traffic().roundTraffic().get("silo-0"),
                "the open round's tally after the restart");

        byte[] u1 = update(again, "silo-1", 1);
        byte[] u2 = update(again, "silo-2", 1);
        again.submit("silo-1", 1, u1);
        again.submit("silo-2", 1, u2);
        RoundRecord r1 = again.history().get(0);
        assertEquals(1, r1.round());
        assertEquals(new Traffic(u0.length, 700), r1.traffic().get("silo-0"), "pre-restart bytes in round 1's record");
        assertEquals(u0.length + u1.length + u2.length, r1.bytesUp());
        assertEquals(JobPhase.RUNNING, again.status().phase());
        again.close();

        // Saved at the round transition too: a second restart still has them.
        RoundCoordinator third = open(dir);
        assertEquals(u0.length + u1.length + u2.length, third.status().bytesUp());
        assertEquals(700, third.status().bytesDown());
        third.close();
    }
}
