package io.fedtt.core.privacy.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SecureSumTest {

    private static final int LENGTH = 10_003;
    private final SecureRandom random = new SecureRandom();

    /** Five participants run the protocol; {@code silentAfterShare} never send an input. */
    private final class Run {
        final Map<String, SecAggParticipant> parties = new TreeMap<>();
        final Map<String, long[]> inputs = new TreeMap<>();
        final SecureSum server;

        Run(int n, int threshold) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                names.add("silo-" + i);
            }
            server = new SecureSum("s1", names, threshold, LENGTH);
            Random r = new Random(7);
            for (String p : names) {
                parties.put(p, new SecAggParticipant(p, "s1", threshold, random));
                long[] x = new long[LENGTH];
                for (int k = 0; k < LENGTH; k++) {
                    x[k] = r.nextLong();
                }
                inputs.put(p, x);
            }
        }

        void advertiseAndShare(List<String> silentAtShare) {
            parties.values().forEach(p -> server.advertise(p.advertise()));
            assertTrue(server.everyoneAdvertised());
            server.closeAdvertising();
            parties.forEach((name, p) -> {
                List<SealedShare> s = p.share(server.roster());
                if (!silentAtShare.contains(name)) {
                    server.share(name, s);
                }
            });
            server.closeSharing();
        }

        long[] masked(String p) {
            return parties.get(p).mask(inputs.get(p), List.copyOf(server.contributors()), server.inbox(p));
        }

        long[] plainSum(Iterable<String> who) {
            long[] s = new long[LENGTH];
            for (String p : who) {
                long[] x = inputs.get(p);
                for (int k = 0; k < LENGTH; k++) {
                    s[k] += x[k];
                }
            }
            return s;
        }

        void revealFrom(Iterable<String> who) {
            for (String p : who) {
                server.reveal(p, parties.get(p).reveal(List.copyOf(server.survivors()), List.copyOf(server.dropped())));
            }
        }
    }

    @Test
    void theUnmaskedSumIsThePlainSumAndNoMaskedInputIsAnInput() {
        Run run = new Run(5, 4);
        run.advertiseAndShare(List.of());
        for (String p : run.parties.keySet()) {
            long[] y = run.masked(p);
            assertFalse(Arrays.equals(y, run.inputs.get(p)), "a masked input equals the input");
            assertTrue(run.server.addMasked(p, y, "d-" + p));
        }
        run.server.closeMasking();
        run.revealFrom(List.of("silo-0", "silo-1", "silo-2", "silo-3"));
        assertTrue(run.server.canUnmask());
        assertArrayEquals(run.plainSum(run.parties.keySet()), run.server.unmask());
    }

    @Test
    void oneOfFiveDroppingAfterItsMasksAreSetIsRecoveredFromTheOthersShares() {
        Run run = new Run(5, 4);
        run.advertiseAndShare(List.of());
        // silo-3 shared its keys (every other input is masked against it) and then dropped.
        List<String> sent = List.of("silo-0", "silo-1", "silo-2", "silo-4");
        for (String p : sent) {
            run.server.addMasked(p, run.masked(p), "d-" + p);
        }
        assertFalse(run.server.everyoneMasked());
        run.server.closeMasking();
        assertEquals(List.of("silo-3"), List.copyOf(run.server.dropped()));
        run.revealFrom(sent);
        assertArrayEquals(run.plainSum(sent), run.server.unmask());
    }

    @Test
    void aParticipantSilentAtTheShareStageIsLeftOutOfTheMasks() {
        Run run = new Run(5, 3);
        run.advertiseAndShare(List.of("silo-1"));
        assertEquals(4, run.server.contributors().size());
        List<String> sent = List.of("silo-0", "silo-2", "silo-3", "silo-4");
        for (String p : sent) {
            run.server.addMasked(p, run.masked(p), "d-" + p);
        }
        run.server.closeMasking();
        run.revealFrom(List.of("silo-0", "silo-2", "silo-4"));
        assertArrayEquals(run.plainSum(sent), run.server.unmask());
    }

    @Test
    void belowTheThresholdNothingIsRevealedAndTheStageCannotClose() {
        Run run = new Run(5, 4);
        run.advertiseAndShare(List.of());
        for (String p : List.of("silo-0", "silo-1", "silo-2")) {
            run.server.addMasked(p, run.masked(p), "d-" + p);
        }
        SecAggException e = assertThrows(SecAggException.class, run.server::closeMasking);
        assertTrue(e.getMessage().contains("below the threshold 4"), e.getMessage());
        // A participant told that only three survive refuses to reveal anything.
        assertThrows(SecAggException.class, () -> run.parties.get("silo-0").reveal(
                List.of("silo-0", "silo-1", "silo-2"), List.of("silo-3", "silo-4")));
    }

    @Test
    void aParticipantNeverRevealsBothSecretsOfOneOwner() {
        Run run = new Run(4, 3);
        run.advertiseAndShare(List.of());
        for (String p : run.parties.keySet()) {
            run.masked(p);
        }
        SecAggParticipant p0 = run.parties.get("silo-0");
        // silo-1 listed as survivor and dropped at once: refused.
        assertThrows(SecAggException.class, () -> p0.reveal(List.of("silo-0", "silo-1", "silo-2", "silo-3"),
                List.of("silo-1")));
        List<Reveal> once = p0.reveal(List.of("silo-0", "silo-1", "silo-2"), List.of("silo-3"));
        assertEquals(4, once.size());
        // A second, different request in the same session is refused.
        assertThrows(SecAggException.class, () -> p0.reveal(List.of("silo-0", "silo-1", "silo-2", "silo-3"), List.of()));
    }

    @Test
    void anAlteredShareIsCaughtByTheCommitmentNotSummedSilently() {
        Run run = new Run(4, 3);
        run.advertiseAndShare(List.of());
        for (String p : run.parties.keySet()) {
            run.server.addMasked(p, run.masked(p), "d-" + p);
        }
        run.server.closeMasking();
        run.revealFrom(List.of("silo-0", "silo-1"));
        List<Reveal> honest = run.parties.get("silo-2").reveal(List.copyOf(run.server.survivors()), List.of());
        List<Reveal> altered = new ArrayList<>();
        for (Reveal r : honest) {
            byte[] s = r.share().clone();
            s[0] ^= 1;
            altered.add(new Reveal(r.owner(), r.secret(), s));
        }
        run.server.reveal("silo-2", altered);
        SecAggException e = assertThrows(SecAggException.class, run.server::unmask);
        assertEquals(SecAggException.Kind.CORRUPT, e.kind());
    }

    @Test
    void aShareSealedForAnotherParticipantDoesNotOpen() {
        Run run = new Run(3, 2);
        run.parties.values().forEach(p -> run.server.advertise(p.advertise()));
        run.server.closeAdvertising();
        List<SealedShare> from0 = run.parties.get("silo-0").share(run.server.roster());
        SealedShare to1 = from0.stream().filter(s -> s.to().equals("silo-1")).findFirst().orElseThrow();
        byte[] key = SecAggCrypto.agree(SecAggCrypto.keyPair(random).getPrivate(),
                SecAggCrypto.publicKey(run.server.roster().get(0).encryptionKey()), "s1", "share");
        assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.open(key, to1.ciphertext(), "s1|silo-0|silo-1"));
    }

    @Test
    void lateAndForeignMessagesAreRefusedByKind() {
        Run run = new Run(3, 2);
        run.advertiseAndShare(List.of());
        SecAggParticipant stranger = new SecAggParticipant("intruder", "s1", 2, random);
        assertEquals(SecAggException.Kind.LATE,
                assertThrows(SecAggException.class, () -> run.server.advertise(stranger.advertise())).kind());
        assertEquals(SecAggException.Kind.EXCLUDED, assertThrows(SecAggException.class,
                () -> run.server.addMasked("intruder", new long[LENGTH], "x")).kind());
        long[] y = run.masked("silo-0");
        assertTrue(run.server.addMasked("silo-0", y, "same"));
        assertFalse(run.server.addMasked("silo-0", y, "same"), "an identical repeat counts once");
        assertEquals(SecAggException.Kind.CONFLICT, assertThrows(SecAggException.class,
                () -> run.server.addMasked("silo-0", y, "other")).kind());
        assertNotEquals(0, y[0]);
    }
}
