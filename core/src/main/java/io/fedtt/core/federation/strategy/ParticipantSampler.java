package io.fedtt.core.federation.strategy;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.Participant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Chooses who trains in a round. Cross-silo: everyone. Cross-device: a uniform sample without
 * replacement, drawn from a generator seeded by (job seed, round, attempt) so that the same job
 * always selects the same participants in the same round.
 */
public final class ParticipantSampler {

    private ParticipantSampler() {
    }

    /** The participants of round {@code round}'s first try, sorted by name. */
    public static List<String> select(FederationJobSpec spec, int round) {
        return select(spec, round, 0, Set.of(), Set.of());
    }

    /**
     * The participants of try {@code attempt} of a round: those in {@code keep} (their updates are
     * in), topped up with a fresh sample from the rest, avoiding {@code avoid} (earlier tries'
     * silent participants) while enough others remain.
     */
    public static List<String> select(FederationJobSpec spec, int round, int attempt,
                                      Collection<String> keep, Collection<String> avoid) {
        List<Participant> all = spec.participants();
        TreeSet<String> chosen = new TreeSet<>(keep);
        int want = spec.perRound();
        if (!spec.crossDevice() || want >= all.size()) {
            for (Participant p : all) {
                chosen.add(p.name());
            }
            return List.copyOf(chosen);
        }
        Set<String> avoidSet = new HashSet<>(avoid);
        List<String> pool = new ArrayList<>();
        List<String> fallback = new ArrayList<>();
        for (Participant p : all) {
            if (chosen.contains(p.name())) {
                continue;
            }
            (avoidSet.contains(p.name()) ? fallback : pool).add(p.name());
        }
        SplittableRandom rng = new SplittableRandom(mix(spec.seed(), round, attempt));
        drawInto(chosen, pool, want - chosen.size(), rng);
        drawInto(chosen, fallback, want - chosen.size(), rng);
        return List.copyOf(chosen);
    }

    /** Partial Fisher-Yates: moves {@code k} random elements of {@code pool} into {@code out}. */
    private static void drawInto(Set<String> out, List<String> pool, int k, SplittableRandom rng) {
        int n = pool.size();
        for (int i = 0; i < k && i < n; i++) {
            int j = i + rng.nextInt(n - i);
            String pick = pool.get(j);
            pool.set(j, pool.get(i));
            pool.set(i, pick);
            out.add(pick);
        }
    }

    /** A well-mixed seed for (job seed, round, attempt). */
    static long mix(long seed, long round, long attempt) {
        long z = seed * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L + attempt * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed a participant trains with in a round: distinct per (round, participant), stable across restarts. */
    public static long trainingSeed(long jobSeed, int round, String participant) {
        return mix(jobSeed, round, participant.hashCode()) & Long.MAX_VALUE;
    }
}
