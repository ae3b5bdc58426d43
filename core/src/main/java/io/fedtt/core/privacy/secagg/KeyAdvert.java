package io.fedtt.core.privacy.secagg;

/**
 * A participant's public keys for one session: {@code encryptionKey} keys the channel its secret
 * shares travel in, {@code maskingKey} the pairwise masks; the commitments (SHA-256) bind the self-mask
 * seed and the masking key's scalar, so that a secret rebuilt from shares can be checked.
 */
public record KeyAdvert(String participant, byte[] encryptionKey, byte[] maskingKey, byte[] selfMaskCommitment,
                        byte[] maskingKeyCommitment) {

    /**
     * Checks the keys parse and the commitments have their length.
     *
     * @throws SecAggException (INVALID) naming the field at fault
     */
    void check() {
        try {
            SecAggCrypto.publicKey(encryptionKey);
        } catch (IllegalArgumentException e) {
            throw SecAggException.invalid("encryptionKey of '" + participant + "': " + e.getMessage());
        }
        try {
            SecAggCrypto.publicKey(maskingKey);
        } catch (IllegalArgumentException e) {
            throw SecAggException.invalid("maskingKey of '" + participant + "': " + e.getMessage());
        }
        if (selfMaskCommitment == null || selfMaskCommitment.length != 32) {
            throw SecAggException.invalid("selfMaskCommitment of '" + participant + "' must be 32 bytes");
        }
        if (maskingKeyCommitment == null || maskingKeyCommitment.length != 32) {
            throw SecAggException.invalid("maskingKeyCommitment of '" + participant + "' must be 32 bytes");
        }
    }

    boolean sameAs(KeyAdvert o) {
        return participant.equals(o.participant) && java.util.Arrays.equals(encryptionKey, o.encryptionKey)
                && java.util.Arrays.equals(maskingKey, o.maskingKey)
                && java.util.Arrays.equals(selfMaskCommitment, o.selfMaskCommitment)
                && java.util.Arrays.equals(maskingKeyCommitment, o.maskingKeyCommitment);
    }
}
