package io.fedtt.core.federation.server;

import io.fedtt.core.tensor.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bearer tokens of a job: one per token holder, which acts for one participant (a silo) or for a
 * set of them (a cross-device worker shard acting for its devices). Only SHA-256 hashes of the tokens are kept; a
 * presented token is identified by its hash and compared with the claimed participant's hash in
 * constant time, so neither lookup nor comparison leaks a token through timing.
 */
public final class TokenRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, byte[]> hashByParticipant = new HashMap<>();
    private final Map<String, String> participantByHash = new HashMap<>();
    /** Holder -> the participants its token acts for; a holder absent here acts only for itself. */
    private final Map<String, Set<String>> actsFor = new HashMap<>();
    /** Holder -> the first (sorted) participant it acts for; found once, as every request asks (see below). */
    private final Map<String, String> firstActedFor = new HashMap<>();

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

    /**
     * A registry of holders' tokens (holder -> token) where each holder's token acts for the
     * participants {@code actsFor} lists (holder -> participants); a holder not listed acts only for
     * itself. Two holders may not act for the same participant.
     */
    public static TokenRegistry of(Map<String, String> tokens, Map<String, ? extends Collection<String>> actsFor) {
        TokenRegistry r = of(tokens);
        Map<String, String> holderOf = new HashMap<>();
        tokens.keySet().forEach(holder -> {
            TreeSet<String> members = new TreeSet<>(actsFor.containsKey(holder) ? actsFor.get(holder) : List.of(holder));
            if (members.isEmpty()) {
                throw new IllegalArgumentException("token holder '" + holder + "' acts for no participant");
            }
            for (String m : members) {
                String other = holderOf.putIfAbsent(m, holder);
                if (other != null) {
                    throw new IllegalArgumentException("token holders '" + other + "' and '" + holder
                            + "' both act for '" + m + "'");
                }
            }
            r.actsFor.put(holder, Set.copyOf(members));
            r.firstActedFor.put(holder, members.first());
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

    /**
     * The participant a request with this token and no claimed participant stands for: the holder
     * itself, or the first (sorted) participant a shared token acts for. Asked on every request: it
     * must not cost a sort of a shard's thousands of devices.
     */
    public Optional<String> defaultParticipantOf(String token) {
        return participantOf(token).map(h -> firstActedFor.getOrDefault(h, h));
    }

    /** Whether {@code token} may act for {@code participant}: its own, or one its holder acts for. */
    public boolean mayActFor(String token, String participant) {
        Optional<String> holder = participantOf(token);
        if (holder.isEmpty()) {
            return false;
        }
        Set<String> members = actsFor.get(holder.get());
        return members == null ? matches(participant, token) : members.contains(participant);
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
