package io.fedtt.core.privacy.secagg;

/** {@code from}'s shares for {@code to} (of its self-mask seed and masking key), AES-GCM sealed for {@code to}. */
public record SealedShare(String from, String to, byte[] ciphertext) {
}
