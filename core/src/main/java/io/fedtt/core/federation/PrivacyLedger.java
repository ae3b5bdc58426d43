package io.fedtt.core.federation;

import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.PrivacySpent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's spent privacy budget, read from its round history (see {@link PrivacySpent} for the
 * analysis): central DP releases one noised aggregate per completed round; local DP releases one
 * noised update per participant per round it uploaded in (failed tries included: their accepted
 * updates were seen), and the largest count over the participants is what is reported. Pure
 * functions; status, metrics, the stop rule and {@code fedtt simulate} all call these.
 */
public final class PrivacyLedger {

    private PrivacyLedger() {
    }

    /** Releases so far that the accountant charges. */
    public static long releases(FederationJobSpec spec, List<RoundRecord> history) {
        DifferentialPrivacy dp = requirePrivacy(spec);
        if (dp.central()) {
            return history.stream().filter(RoundRecord::completed).count();
        }
        Map<String, Set<Integer>> rounds = new HashMap<>();
        for (RoundRecord r : history) {
            for (String p : r.participants()) {
                rounds.computeIfAbsent(p, k -> new HashSet<>()).add(r.round());
            }
        }
        return rounds.values().stream().mapToLong(Set::size).max().orElse(0);
    }

    /** epsilon at the job's delta after {@code releases} releases. */
    public static double epsilon(FederationJobSpec spec, long releases) {
        DifferentialPrivacy dp = requirePrivacy(spec);
        return PrivacySpent.epsilon(dp, PrivacySpent.samplingRate(dp, spec.perRound(), spec.participants().size()), releases);
    }

    /** epsilon spent so far; NaN when the job has no differential privacy. */
    public static double spent(FederationJobSpec spec, List<RoundRecord> history) {
        return spec.privacy() == null ? Double.NaN : epsilon(spec, releases(spec, history));
    }

    /** epsilon once one more round has been released (what {@code targetEpsilon} is checked against). */
    public static double afterNextRound(FederationJobSpec spec, List<RoundRecord> history) {
        return epsilon(spec, releases(spec, history) + 1);
    }

    private static DifferentialPrivacy requirePrivacy(FederationJobSpec spec) {
        if (spec.privacy() == null) {
            throw new IllegalStateException("job " + spec.job() + " has no differential privacy");
        }
        return spec.privacy();
    }
}
