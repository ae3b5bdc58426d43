package io.fedtt.core.federation.client;

import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.SecureWire;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.privacy.secagg.SecAggException;
import io.fedtt.core.privacy.secagg.SecAggParticipant;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.fedtt.core.privacy.secagg.SecureVector;
import io.fedtt.core.tensor.AdapterState;
import java.security.SecureRandom;

/**
 * A participant's part in a secure round, after local training: advertise keys, send sealed shares,
 * send the masked update, reveal the shares that unmask the sum. When the coordinator starts the
 * round's session again (a retried try, or a coordinator restart) the same update is masked afresh
 * under the new session's keys; the update never leaves in the clear.
 */
final class SecureRoundClient {

    private static final System.Logger LOG = System.getLogger(SecureRoundClient.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Sessions one round may go through for this participant before it gives the round up. */
    private static final int MAX_SESSIONS = 8;

    private SecureRoundClient() {
    }

    /**
     * Runs the protocol for {@code update} (trained from {@code global}).
     *
     * @return the masked update's receipt, or null when this participant has no part in the round
     *     any more (it missed a stage and the others went on without it, or the session restarted
     *     more than {@value #MAX_SESSIONS} times)
     * @throws FederationHttpException 410 when the round closed
     */
    static UploadReceipt run(FederationClient client, RoundTask task, AdapterState global, AdapterState update,
            UpdateInfo info) {
        String me = client.config().participant();
        int r = task.round();
        for (int attempt = 0; attempt < MAX_SESSIONS; attempt++) {
            SecureWire.View v = client.secureView(r, null, SecureSum.Stage.ADVERTISE);
            if (v.stage() != SecureSum.Stage.ADVERTISE) {
                LOG.log(System.Logger.Level.INFO, me + ": round " + r + "'s secure session is past its key stage;"
                        + " sitting this round out");
                return null;
            }
            try {
                UploadReceipt receipt = session(client, task, global, update, info, v);
                if (receipt != null) {
                    return receipt;
                }
            } catch (FederationHttpException e) {
                if (e.status() != 409) {
                    throw e;
                }
                LOG.log(System.Logger.Level.INFO, me + ": " + e.getMessage());
            }
        }
        // Sitting one round out keeps the worker in the job; the coordinator's quorum decides the round.
        LOG.log(System.Logger.Level.WARNING, me + ": round " + r + "'s secure session restarted " + MAX_SESSIONS
                + " times; sitting this round out");
        return null;
    }

    /** One session; null when it ended before this participant was done (start again). */
    private static UploadReceipt session(FederationClient client, RoundTask task, AdapterState global,
            AdapterState update, UpdateInfo info, SecureWire.View first) {
        String me = client.config().participant();
        int r = task.round();
        String session = first.session();
        SecAggParticipant p = new SecAggParticipant(me, session, task.secureThreshold(), RANDOM);
        client.secureKeys(r, session, p.advertise());

        SecureWire.View v = await(client, r, session, SecureSum.Stage.SHARE);
        if (v == null) {
            return null;
        }
        if (v.roster().stream().noneMatch(a -> a.participant().equals(me))) {
            return null;
        }
        client.secureShares(r, session, p.share(v.roster()));

        v = await(client, r, session, SecureSum.Stage.MASK);
        if (v == null) {
            return null;
        }
        if (!v.contributors().contains(me)) {
            return null;
        }
        long[] input;
        try {
            input = SecureVector.encode(update, global, task.trainable(), info.examples() * v.weight(),
                    v.contributors().size());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(me + ": cannot mask the update of round " + r + ": " + e.getMessage(), e);
        }
        long[] masked;
        try {
            masked = p.mask(input, v.contributors(), v.inbox());
        } catch (SecAggException e) {
            throw new IllegalStateException(me + ": round " + r + ": " + e.getMessage(), e);
        }
        UploadReceipt receipt = client.secureMasked(r, SecureWire.masked(session, info, masked));

        v = await(client, r, session, SecureSum.Stage.UNMASK);
        if (v == null) {
            return null; // a new session (retried try, restarted coordinator): the input must be masked again
        }
        if (!v.survivors().contains(me)) {
            return receipt; // the sum went on without this input
        }
        try {
            client.secureReveal(r, session, p.reveal(v.survivors(), v.dropped()));
        } catch (FederationHttpException e) {
            if (!e.roundClosed()) {
                throw e;
            }
            // The threshold's shares were in before these: the sum is being rebuilt without them.
        }
        return receipt;
    }

    /** Waits for the session to reach {@code stage}; null when it is not the round's session any more. */
    private static SecureWire.View await(FederationClient client, int round, String session, SecureSum.Stage stage) {
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted during secure aggregation");
            }
            SecureWire.View v = client.secureView(round, session, stage);
            if (!v.session().equals(session)) {
                return null;
            }
            if (v.stage().compareTo(stage) >= 0) {
                return v;
            }
        }
    }

}
