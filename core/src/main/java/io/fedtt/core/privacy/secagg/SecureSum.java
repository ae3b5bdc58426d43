package io.fedtt.core.privacy.secagg;

import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The coordinator's side of one secure-aggregation session: it routes keys and sealed shares, adds
 * masked inputs into one running sum as they arrive (no input is kept on its own), and, given the
 * threshold's number of survivors' shares, removes the masks and returns the plain sum of the
 * survivors' inputs. It never holds a secret key: what it learns is the sum, and the masking keys of
 * participants that dropped before sending an input (their input is not in the sum).
 *
 * <p>Stages: ADVERTISE (selected participants post keys) -> SHARE (the roster posts sealed shares)
 * -> MASK (the contributors post masked inputs) -> UNMASK (the survivors post shares) -> DONE. The
 * caller closes each stage (when everyone expected answered, or at its deadline); a close below the
 * threshold fails. Thread-safe.
 */
public final class SecureSum {

    public enum Stage {
        ADVERTISE, SHARE, MASK, UNMASK, DONE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Stage parse(String s) {
            for (Stage v : values()) {
                if (v.wireName().equals(s)) {
                    return v;
                }
            }
            throw SecAggException.invalid("unknown stage '" + s + "' (advertise, share, mask, unmask)");
        }
    }

    private final String session;
    private final SortedSet<String> selected;
    private final int threshold;
    private final int length;

    private Stage stage = Stage.ADVERTISE;
    private final SortedMap<String, KeyAdvert> adverts = new TreeMap<>();
    private List<KeyAdvert> roster;
    private final SortedMap<String, List<SealedShare>> shares = new TreeMap<>();
    private SortedSet<String> contributors;
    private final long[] sum;
    /** Digest of each masked input added, to accept an identical repeat (a retried upload) once. */
    private final SortedMap<String, String> masked = new TreeMap<>();
    private SortedSet<String> survivors;
    private SortedSet<String> dropped;
    private final SortedMap<String, List<Reveal>> reveals = new TreeMap<>();

    /**
     * @param length the number of 64-bit words of every input
     */
    public SecureSum(String session, Collection<String> selected, int threshold, int length) {
        if (threshold < 2) {
            throw new IllegalArgumentException("threshold must be at least 2, got " + threshold);
        }
        this.session = session;
        this.selected = new TreeSet<>(selected);
        this.threshold = threshold;
        this.length = length;
        this.sum = new long[length];
    }

    public String session() {
        return session;
    }

    public int threshold() {
        return threshold;
    }

    public int length() {
        return length;
    }

    public synchronized Stage stage() {
        return stage;
    }

    // ================================================================ stage 1

    public synchronized void advertise(KeyAdvert a) {
        require(Stage.ADVERTISE, a.participant());
        if (!selected.contains(a.participant())) {
            throw new SecAggException(SecAggException.Kind.EXCLUDED, "'" + a.participant() + "' is not selected");
        }
        a.check();
        KeyAdvert had = adverts.get(a.participant());
        if (had != null && !had.sameAs(a)) {
            throw new SecAggException(SecAggException.Kind.CONFLICT, "'" + a.participant()
                    + "' already advertised other keys in session " + session);
        }
        adverts.put(a.participant(), a);
    }

    public synchronized int advertised() {
        return adverts.size();
    }

    public synchronized boolean everyoneAdvertised() {
        return adverts.keySet().equals(selected);
    }

    /** Fixes the roster (those who advertised). @throws SecAggException below the threshold */
    public synchronized void closeAdvertising() {
        require(Stage.ADVERTISE, "the coordinator");
        atLeastThreshold(adverts.size(), "participants advertised keys");
        roster = List.copyOf(adverts.values()); // name order: holder i is roster[i - 1]
        stage = Stage.SHARE;
    }

    /** The roster, once fixed (empty before). */
    public synchronized List<KeyAdvert> roster() {
        return roster == null ? List.of() : roster;
    }

    public synchronized boolean inRoster(String p) {
        return roster != null && adverts.containsKey(p);
    }

    // ================================================================ stage 2

    public synchronized void share(String from, List<SealedShare> sealed) {
        require(Stage.SHARE, from);
        if (!adverts.containsKey(from)) {
            throw new SecAggException(SecAggException.Kind.EXCLUDED, "'" + from + "' is not in the roster");
        }
        Map<String, SealedShare> byTo = new HashMap<>();
        for (SealedShare s : sealed) {
            if (!s.from().equals(from)) {
                throw SecAggException.invalid("a share from '" + from + "' claims to be from '" + s.from() + "'");
            }
            if (s.to().equals(from) || !adverts.containsKey(s.to())) {
                throw SecAggException.invalid("share for '" + s.to() + "', who is not another member of the roster");
            }
            if (byTo.put(s.to(), s) != null) {
                throw SecAggException.invalid("two shares for '" + s.to() + "'");
            }
            if (s.ciphertext() == null || s.ciphertext().length == 0 || s.ciphertext().length > 1024) {
                throw SecAggException.invalid("the share for '" + s.to() + "' must be 1..1024 bytes");
            }
        }
        if (byTo.size() != adverts.size() - 1) {
            throw SecAggException.invalid("'" + from + "' must send one share to each of the other " + (adverts.size() - 1)
                    + " members of the roster, sent " + byTo.size());
        }
        List<SealedShare> had = shares.get(from);
        if (had != null && !sameShares(had, sealed)) {
            throw new SecAggException(SecAggException.Kind.CONFLICT, "'" + from + "' already sent other shares");
        }
        shares.put(from, List.copyOf(sealed));
    }

    private static boolean sameShares(List<SealedShare> a, List<SealedShare> b) {
        Map<String, byte[]> x = new HashMap<>();
        a.forEach(s -> x.put(s.to(), s.ciphertext()));
        if (a.size() != b.size()) {
            return false;
        }
        for (SealedShare s : b) {
            if (!java.util.Arrays.equals(x.get(s.to()), s.ciphertext())) {
                return false;
            }
        }
        return true;
    }

    public synchronized boolean everyoneShared() {
        return stage == Stage.SHARE && shares.size() == adverts.size();
    }

    public synchronized int shared() {
        return shares.size();
    }

    /** Fixes the contributors (those who shared). @throws SecAggException below the threshold */
    public synchronized void closeSharing() {
        require(Stage.SHARE, "the coordinator");
        atLeastThreshold(shares.size(), "roster members sent their shares");
        contributors = new TreeSet<>(shares.keySet());
        stage = Stage.MASK;
    }

    public synchronized SortedSet<String> contributors() {
        return contributors == null ? new TreeSet<>() : new TreeSet<>(contributors);
    }

    /** The sealed shares the contributors sent {@code to}. */
    public synchronized List<SealedShare> inbox(String to) {
        List<SealedShare> out = new ArrayList<>();
        if (contributors == null) {
            return out;
        }
        for (String from : contributors) {
            for (SealedShare s : shares.get(from)) {
                if (s.to().equals(to)) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    // ================================================================ stage 3

    /**
     * Adds a contributor's masked input into the sum; an identical repeat (same digest) is taken once.
     *
     * @return false for an identical repeat
     */
    public synchronized boolean addMasked(String from, long[] input, String digest) {
        require(Stage.MASK, from);
        if (!contributors.contains(from)) {
            throw new SecAggException(SecAggException.Kind.EXCLUDED, "'" + from + "' is not a contributor of session "
                    + session + " (it did not share in time)");
        }
        String had = masked.get(from);
        if (had != null) {
            if (had.equals(digest)) {
                return false;
            }
            throw new SecAggException(SecAggException.Kind.CONFLICT, "'" + from + "' already sent another masked input");
        }
        if (input.length != length) {
            throw SecAggException.invalid("masked input of '" + from + "' has " + input.length + " words, expected "
                    + length);
        }
        for (int i = 0; i < length; i++) {
            sum[i] += input[i];
        }
        masked.put(from, digest);
        return true;
    }

    public synchronized boolean everyoneMasked() {
        return stage == Stage.MASK && masked.size() == contributors.size();
    }

    public synchronized SortedSet<String> maskedBy() {
        return new TreeSet<>(masked.keySet());
    }

    /** Fixes survivors (who sent an input) and dropped (contributors who did not). */
    public synchronized void closeMasking() {
        require(Stage.MASK, "the coordinator");
        atLeastThreshold(masked.size(), "contributors sent masked inputs");
        survivors = new TreeSet<>(masked.keySet());
        dropped = new TreeSet<>(contributors);
        dropped.removeAll(survivors);
        stage = Stage.UNMASK;
    }

    public synchronized SortedSet<String> survivors() {
        return survivors == null ? new TreeSet<>() : new TreeSet<>(survivors);
    }

    public synchronized SortedSet<String> dropped() {
        return dropped == null ? new TreeSet<>() : new TreeSet<>(dropped);
    }

    // ================================================================ stage 4

    public synchronized void reveal(String from, List<Reveal> given) {
        require(Stage.UNMASK, from);
        if (!survivors.contains(from)) {
            throw new SecAggException(SecAggException.Kind.EXCLUDED, "'" + from + "' is not a survivor of session " + session);
        }
        Map<String, Reveal> byOwner = new TreeMap<>();
        for (Reveal r : given) {
            Reveal.Secret want = survivors.contains(r.owner()) ? Reveal.Secret.SELF_MASK
                    : dropped.contains(r.owner()) ? Reveal.Secret.MASKING_KEY : null;
            if (want == null || r.secret() != want) {
                throw SecAggException.invalid("reveal of " + r.secret().wireName() + " of '" + r.owner() + "' is not "
                        + "asked for");
            }
            if (r.share() == null || r.share().length != SecAggCrypto.SEED_BYTES) {
                throw SecAggException.invalid("the share of '" + r.owner() + "' must be " + SecAggCrypto.SEED_BYTES
                        + " bytes");
            }
            if (byOwner.put(r.owner(), r) != null) {
                throw SecAggException.invalid("two reveals for '" + r.owner() + "'");
            }
        }
        if (byOwner.size() != contributors.size()) {
            throw SecAggException.invalid("'" + from + "' must reveal a share for each of the " + contributors.size()
                    + " contributors, sent " + byOwner.size());
        }
        reveals.putIfAbsent(from, List.copyOf(byOwner.values()));
    }

    public synchronized int revealed() {
        return reveals.size();
    }

    public synchronized boolean canUnmask() {
        return stage == Stage.UNMASK && reveals.size() >= threshold;
    }

    /**
     * The sum of the survivors' inputs, masks removed.
     *
     * @throws SecAggException (CORRUPT) naming the participant whose rebuilt secret does not match
     *     its commitment; nothing is returned that could be silently wrong
     */
    public synchronized long[] unmask() {
        if (!canUnmask()) {
            throw new IllegalStateException("unmask needs " + threshold + " survivors' shares, has " + reveals.size());
        }
        int n = roster.size();
        Map<String, Map<Integer, byte[]>> byOwner = new TreeMap<>();
        for (Map.Entry<String, List<Reveal>> e : reveals.entrySet()) {
            int holder = Roster.indexOf(roster, e.getKey()) + 1;
            for (Reveal r : e.getValue()) {
                byOwner.computeIfAbsent(r.owner(), k -> new TreeMap<>()).put(holder, r.share());
            }
        }
        long[] out = sum.clone();
        for (String u : survivors) {
            byte[] seed = SecAggCrypto.join(byOwner.get(u), n, threshold);
            KeyAdvert a = adverts.get(u);
            if (!java.util.Arrays.equals(SecAggCrypto.commitment(seed), a.selfMaskCommitment())) {
                throw new SecAggException(SecAggException.Kind.CORRUPT, "the self-mask seed of '" + u
                        + "' rebuilt from the shares does not match its commitment: a share was altered");
            }
            SecAggCrypto.addMask(out, seed, -1);
        }
        for (String u : dropped) {
            byte[] scalar = SecAggCrypto.join(byOwner.get(u), n, threshold);
            KeyAdvert a = adverts.get(u);
            if (!java.util.Arrays.equals(SecAggCrypto.commitment(scalar), a.maskingKeyCommitment())) {
                throw new SecAggException(SecAggException.Kind.CORRUPT, "the masking key of '" + u
                        + "' rebuilt from the shares does not match its commitment: a share was altered");
            }
            PrivateKey key = SecAggCrypto.privateKey(scalar);
            for (String v : survivors) {
                byte[] seed = SecAggCrypto.agree(key, SecAggCrypto.publicKey(adverts.get(v).maskingKey()), session, SecAggParticipant.MASK_PURPOSE);
                // v added sign(v, u) * mask(u, v); take it out.
                SecAggCrypto.addMask(out, seed, -Roster.sign(v, u));
            }
        }
        stage = Stage.DONE;
        return out;
    }

    // ================================================================ helpers

    private void require(Stage expected, String who) {
        if (stage != expected) {
            throw new SecAggException(stage.ordinal() > expected.ordinal() ? SecAggException.Kind.LATE
                    : SecAggException.Kind.INVALID, "session " + session + " is in stage " + stage.wireName()
                    + ", not " + expected.wireName() + " (from " + who + ")");
        }
    }

    private void atLeastThreshold(int count, String what) {
        if (count < threshold) {
            throw SecAggException.invalid("only " + count + " " + what + ", below the threshold " + threshold);
        }
    }
}
