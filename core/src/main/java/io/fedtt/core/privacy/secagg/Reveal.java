package io.fedtt.core.privacy.secagg;

/**
 * A share a survivor gives up in the last stage: of {@code owner}'s self-mask seed when the owner's
 * masked input is in the sum, of its masking key when the owner dropped before sending one. Never both
 * for one owner: that would unmask its input.
 */
public record Reveal(String owner, Secret secret, byte[] share) {

    public enum Secret {
        SELF_MASK, MASKING_KEY;

        public String wireName() {
            return this == SELF_MASK ? "selfMask" : "maskingKey";
        }

        public static Secret parse(String s) {
            for (Secret k : values()) {
                if (k.wireName().equals(s)) {
                    return k;
                }
            }
            throw SecAggException.invalid("unknown secret '" + s + "' (selfMask or maskingKey)");
        }
    }
}
