package io.fedtt.core.federation.server;

import io.fedtt.core.tensor.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * One bearer token per participant of a job. Only SHA-256 hashes of the tokens are kept; a
 * presented token is identified by its hash and compared with the claimed participant's hash in
 * constant time, so neither lookup nor comparison leaks a token through timing.
 */
public final class TokenRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, byte[]> hashByParticipant = new HashMap<>();
    private final Map<String, String> participantByHash = new HashMap<>();

    private TokenRegistry() {
    }

    /** A registry from participant name to its token. */
    public static TokenRegistry of(Map<String, String> tokens) {
        TokenRegistry r = new TokenRegistry();
        tokens.forEach((participant, token) -> {
            if (token == null || token.length() < 16) {
                throw new IllegalArgumentException("token of '" + participant + "' must have at least 16 characters");
            }
            byte[] h = hash(token);
            String key = HexFormat.of().formatHex(h);
            String other = r.participantByHash.putIfAbsent(key, participant);
            if (other != null) {
                throw new IllegalArgumentException("participants '" + other + "' and '" + participant + "' share a token");
            }
            r.hashByParticipant.put(participant, h);
        });
        return r;
    }

    /** A fresh random token (256 bits, URL-safe base64), as the operator puts into a silo's Secret. */
    public static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The participant this token belongs to, if any. */
    public Optional<String> participantOf(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] h = hash(token);
        String p = participantByHash.get(HexFormat.of().formatHex(h));
        if (p == null || !MessageDigest.isEqual(h, hashByParticipant.get(p))) {
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /** Whether {@code token} is {@code participant}'s, compared in constant time. */
    public boolean matches(String participant, String token) {
        byte[] expected = hashByParticipant.get(participant);
        return expected != null && token != null && MessageDigest.isEqual(expected, hash(token));
    }

    public int size() {
        return hashByParticipant.size();
    }

    private static byte[] hash(String token) {
        return Digest.sha256().digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
