package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.privacy.secagg.SecureSum;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * When the stages of a secure round's session move on: early, once every participant a stage waits
 * for has answered (and they are enough), or at the try's deadline with whoever answered, if they
 * reach the threshold (and, for the masked inputs, the quorum). The first stage's deadline is the
 * round's (it includes local training); each later stage gets {@code secureAggregation.stageTimeout}.
 * Not thread-safe: the coordinator calls it under its lock.
 */
final class SecureStages {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecureStages() {
    }

    /** A fresh, unguessable session id (it salts every key the session derives). */
    static String newSession() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The fewest participants a stage may close with: the threshold, and no fewer than the quorum. */
    static int needed(FederationJobSpec spec) {
        return Math.max(spec.secureAggregation().threshold(), spec.minParticipants());
    }

    /** Closes every stage whose participants have all answered; true when one moved. */
    static boolean advance(FederationJobSpec spec, RoundTry t, long now) {
        SecureSum s = t.secure();
        int need = needed(spec);
        long next = now + spec.secureAggregation().stageTimeout().toMillis();
        boolean moved = false;
        if (s.stage() == SecureSum.Stage.ADVERTISE && s.everyoneAdvertised() && s.advertised() >= need) {
            s.closeAdvertising();
            t.resetDeadline(next);
            moved = true;
        }
        if (s.stage() == SecureSum.Stage.SHARE && s.everyoneShared() && s.shared() >= need) {
            s.closeSharing();
            t.resetDeadline(next);
            moved = true;
        }
        if (s.stage() == SecureSum.Stage.MASK && s.everyoneMasked() && s.maskedBy().size() >= need) {
            s.closeMasking();
            t.resetDeadline(next);
            moved = true;
        }
        return moved;
    }

    /**
     * The try's deadline passed: closes the open stage with those who answered when they are enough.
     *
     * @return null when the session moved on, else why the try fails
     */
    static String atDeadline(FederationJobSpec spec, RoundTry t, long now) {
        SecureSum s = t.secure();
        int need = needed(spec);
        long next = now + spec.secureAggregation().stageTimeout().toMillis();
        int answered;
        String what;
        switch (s.stage()) {
            case ADVERTISE -> {
                answered = s.advertised();
                what = "advertised keys";
                if (answered >= need) {
                    s.closeAdvertising();
                }
            }
            case SHARE -> {
                answered = s.shared();
                what = "sent their shares";
                if (answered >= need) {
                    s.closeSharing();
                }
            }
            case MASK -> {
                answered = s.maskedBy().size();
                what = "sent masked updates";
                if (answered >= need) {
                    s.closeMasking();
                }
            }
            case UNMASK -> {
                // Closing happens as soon as the threshold's shares are in; here they are not.
                return "SecureAggregationStalled: " + s.revealed() + " of " + s.survivors().size()
                        + " survivors revealed their shares by the deadline, threshold " + s.threshold();
            }
            default -> {
                return null;
            }
        }
        if (answered >= need) {
            t.resetDeadline(next);
            return null;
        }
        return "SecureAggregationStalled: " + answered + " of " + t.selected().size() + " participants " + what
                + " by the deadline of stage " + s.stage().wireName() + ", need " + need + " (threshold "
                + s.threshold() + ", quorum " + spec.minParticipants() + ")";
    }
}
