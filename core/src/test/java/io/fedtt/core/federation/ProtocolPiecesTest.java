package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.tensor.DType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The small pure pieces of the protocol: tokens, metadata, JSON bodies, backoff, names. */
class ProtocolPiecesTest {

    @Test
    void tokensIdentifyTheirOwnerOnly() {
        TokenRegistry r = TokenRegistry.of(Map.of("a", "token-for-a-0123456789", "b", "token-for-b-0123456789"));
        assertEquals(Optional.of("a"), r.participantOf("token-for-a-0123456789"));
        assertEquals(Optional.empty(), r.participantOf("token-for-a-012345678"));
        assertEquals(Optional.empty(), r.participantOf(""));
        assertTrue(r.matches("b", "token-for-b-0123456789"));
        assertFalse(r.matches("a", "token-for-b-0123456789"));
        assertFalse(r.matches("c", "token-for-b-0123456789"));
        assertThrows(IllegalArgumentException.class, () -> TokenRegistry.of(Map.of("a", "short")));
        assertThrows(IllegalArgumentException.class,
                () -> TokenRegistry.of(Map.of("a", "same-token-0123456789", "b", "same-token-0123456789")));
        String t = TokenRegistry.newToken();
        assertEquals(43, t.length());
        assertFalse(t.equals(TokenRegistry.newToken()));
    }

    @Test
    void updateMetadataRoundTripsAndNamesWhatIsWrong() {
        UpdateInfo info = new UpdateInfo(120, 10, new EvalMetrics(0.75, 0.5, 40));
        assertEquals(info, UpdateInfo.fromMetadata(info.toMetadata()));
        UpdateInfo bare = new UpdateInfo(3, 0, EvalMetrics.NONE);
        assertEquals(bare.examples(), UpdateInfo.fromMetadata(bare.toMetadata()).examples());
        assertFalse(UpdateInfo.fromMetadata(bare.toMetadata()).eval().hasAccuracy());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpdateInfo.fromMetadata(Map.of(UpdateInfo.EXAMPLES, "12", UpdateInfo.EVAL_ACCURACY, "1.5",
                        UpdateInfo.EVAL_EXAMPLES, "3")));
        assertTrue(e.getMessage().contains("accuracy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> UpdateInfo.fromMetadata(Map.of(UpdateInfo.EXAMPLES, "12", UpdateInfo.EVAL_LOSS, "NaN")));
        assertTrue(e.getMessage().contains("fedtt.eval.loss"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UpdateInfo.fromMetadata(Map.of(UpdateInfo.EXAMPLES, "x")));
        assertTrue(e.getMessage().contains("not an integer"), e.getMessage());
    }

    @Test
    void taskAnswersRoundTripThroughJson() {
        RoundTask task = new RoundTask("ns/job", 3, 1, 10, "ab".repeat(32), List.of("a", "b"), 10, 0, 16, 2e-4, 99,
                1_800_000_000_000L, DType.BF16);
        assertEquals(new TaskAnswer.Work(task), WireJson.readTask(WireJson.task(new TaskAnswer.Work(task))));
        assertEquals(new TaskAnswer.Waiting(4), WireJson.readTask(WireJson.task(new TaskAnswer.Waiting(4))));
        TaskAnswer.Done done = new TaskAnswer.Done(JobPhase.FAILED, "RoundFailed: x", 2, "cd".repeat(32));
        assertEquals(done, WireJson.readTask(WireJson.task(done)));
        String json = new String(WireJson.task(new TaskAnswer.Work(task)));
        assertTrue(json.contains("\"adapterPath\":\"/v1/jobs/ns/job/rounds/3/adapter\""), json);
        assertEquals("tensor 'x' is bad", WireJson.errorMessage(WireJson.error(422, "INVALID", "tensor 'x' is bad")));
    }

    @Test
    void theProximalMuTravelsInTheTaskAndIsZeroFromOlderServers() {
        RoundTask task = new RoundTask("ns/job", 3, 0, 10, "ab".repeat(32), List.of("a"), 10, 0, 16, 2e-4, 99,
                1_800_000_000_000L, DType.F32, 0.01);
        TaskAnswer.Work back = (TaskAnswer.Work) WireJson.readTask(WireJson.task(new TaskAnswer.Work(task)));
        assertEquals(0.01, back.task().proximalMu());
        assertEquals(task, back.task());
        String old = new String(WireJson.task(new TaskAnswer.Work(task.withProximalMu(0))))
                .replace("\"proximalMu\":0.0,", "");
        assertTrue(!old.contains("proximalMu"), old);
        assertEquals(0.0, ((TaskAnswer.Work) WireJson.readTask(old.getBytes())).task().proximalMu());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> task.withProximalMu(-1));
    }

    @Test
    void backoffGrowsExponentiallyWithinItsJitterAndCap() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000), 0.5);
        for (int i = 0; i < 100; i++) {
            long d1 = p.delayMillis(1);
            long d3 = p.delayMillis(3);
            long d9 = p.delayMillis(9);
            assertTrue(d1 >= 50 && d1 <= 150, "attempt 1: " + d1);
            assertTrue(d3 >= 200 && d3 <= 600, "attempt 3: " + d3);
            assertTrue(d9 >= 500 && d9 <= 1500, "attempt 9 is capped: " + d9);
        }
    }

    @Test
    void namesAreSafeInUrlsAndFiles() {
        assertEquals("ns/job", JobId.parse("ns/job").toString());
        assertThrows(IllegalArgumentException.class, () -> JobId.parse("NS/job"));
        assertThrows(IllegalArgumentException.class, () -> JobId.parse("nojob"));
        assertThrows(IllegalArgumentException.class, () -> Participant.of("../etc"));
        assertThrows(IllegalArgumentException.class, () -> Participant.of("a/b"));
        assertThrows(IllegalArgumentException.class, () -> new Participant("ok", 0));
        assertTrue(Participant.validName("device-00042"));
    }

    @Test
    void specRejectsImpossibleSettingsNamingTheField() {
        var b = FederationJobSpec.builder(new JobId("t", "spec"), Fx.smallAdapter()).silos("a", "b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.minParticipants(3).build());
        assertTrue(e.getMessage().contains("minParticipants"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.minParticipants(1).rounds(0).build());
        assertTrue(e.getMessage().contains("rounds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FederationJobSpec.builder(new JobId("t", "spec"), Fx.smallAdapter()).silos("a", "a").build());
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
        assertEquals(2, FederationJobSpec.builder(new JobId("t", "spec"), Fx.smallAdapter()).silos("a", "b").build()
                .minParticipants(), "quorum defaults to everyone selected");
    }
}
