package io.fedtt.core.privacy.secagg;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One participant's side of one secure-aggregation session (SecAgg, Bonawitz et al. 2017, with every
 * pair of the round as neighbours): fresh keys and a self-mask seed, Shamir shares of the seed and of
 * the masking key sealed for each other participant, the masked input, and at the end the shares that
 * let the coordinator remove the masks, checked so that no owner's input can be unmasked alone.
 *
 * <p>Holders are numbered by their place in the roster sorted by name (1-based). Not thread-safe; used
 * once, stage after stage.
 */
public final class SecAggParticipant {

    static final String SHARE_PURPOSE = "share";
    static final String MASK_PURPOSE = "mask";
    private static final int SECRET = SecAggCrypto.SEED_BYTES;

    private final String name;
    private final String session;
    private final int threshold;
    private final SecureRandom random;
    private final KeyPair encryption;
    private final KeyPair masking;
    private final byte[] selfMask;

    private List<KeyAdvert> roster;
    /** Shares this participant holds, by owner: {selfMask share, maskingKey share}. */
    private final Map<String, byte[][]> held = new TreeMap<>();
    private Set<String> contributors;
    private boolean revealed;

    public SecAggParticipant(String name, String session, int threshold, SecureRandom random) {
        if (threshold < 2) {
            throw new IllegalArgumentException("secure aggregation needs a threshold of at least 2, got " + threshold);
        }
        this.name = name;
        this.session = session;
        this.threshold = threshold;
        this.random = random;
        this.encryption = SecAggCrypto.keyPair(random);
        this.masking = SecAggCrypto.keyPair(random);
        this.selfMask = SecAggCrypto.randomSeed(random);
    }

    public String session() {
        return session;
    }

    /** Stage 1: the public keys and commitments to advertise. */
    public KeyAdvert advertise() {
        return new KeyAdvert(name, SecAggCrypto.encode(encryption.getPublic()), SecAggCrypto.encode(masking.getPublic()),
                SecAggCrypto.commitment(selfMask), SecAggCrypto.commitment(SecAggCrypto.scalar(masking.getPrivate())));
    }

    /**
     * Stage 2: this participant's shares, one sealed message for each other member of {@code roster}.
     *
     * @throws SecAggException when the roster is below the threshold, lacks this participant or holds
     *     another advert under its name
     */
    public List<SealedShare> share(List<KeyAdvert> roster) {
        List<KeyAdvert> sorted = Roster.sorted(roster);
        if (sorted.size() < threshold) {
            throw SecAggException.invalid("the roster has " + sorted.size() + " participants, below the threshold "
                    + threshold);
        }
        int me = Roster.indexOf(sorted, name);
        if (me < 0 || !sorted.get(me).sameAs(advertise())) {
            throw SecAggException.invalid("the roster does not hold '" + name + "' with the keys it advertised");
        }
        this.roster = sorted;
        int n = sorted.size();
        Map<Integer, byte[]> selfShares = SecAggCrypto.split(selfMask, n, threshold, random);
        Map<Integer, byte[]> keyShares = SecAggCrypto.split(SecAggCrypto.scalar(masking.getPrivate()), n, threshold,
                random);
        List<SealedShare> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] s = selfShares.get(i + 1);
            byte[] k = keyShares.get(i + 1);
            KeyAdvert to = sorted.get(i);
            if (i == me) {
                held.put(name, new byte[][] {s, k});
                continue;
            }
            byte[] plain = Arrays.copyOf(s, 2 * SECRET);
            System.arraycopy(k, 0, plain, SECRET, SECRET);
            byte[] key = SecAggCrypto.agree(encryption.getPrivate(), SecAggCrypto.publicKey(to.encryptionKey()), session,
                    SHARE_PURPOSE);
            out.add(new SealedShare(name, to.participant(), SecAggCrypto.seal(key, plain,
                    associated(session, name, to.participant()), random)));
        }
        return out;
    }

    /**
     * Stage 3: {@code input} (fixed point, modulo 2^64) with this participant's self mask and its
     * pairwise masks with every other contributor added. Opens the shares the contributors sent it.
     *
     * @param contributors who shared in stage 2 (the masks cancel only among them)
     * @param inbox        the sealed shares addressed to this participant
     * @throws SecAggException when this participant is not a contributor, the contributors are below
     *     the threshold or not in the roster, or a contributor's share is missing or does not open
     */
    public long[] mask(long[] input, List<String> contributors, List<SealedShare> inbox) {
        if (roster == null) {
            throw new IllegalStateException("mask before share");
        }
        Set<String> c = new HashSet<>(contributors);
        if (!c.contains(name)) {
            throw new SecAggException(SecAggException.Kind.EXCLUDED, "'" + name + "' is not among the contributors");
        }
        if (c.size() < threshold) {
            throw SecAggException.invalid(c.size() + " contributors, below the threshold " + threshold);
        }
        Map<String, SealedShare> byFrom = new HashMap<>();
        for (SealedShare s : inbox) {
            if (s.to().equals(name) && byFrom.putIfAbsent(s.from(), s) != null) {
                throw SecAggException.invalid("two shares from '" + s.from() + "'");
            }
        }
        for (String from : c) {
            int at = Roster.indexOf(roster, from);
            if (at < 0) {
                throw SecAggException.invalid("contributor '" + from + "' is not in the roster");
            }
            if (from.equals(name)) {
                continue;
            }
            SealedShare s = byFrom.get(from);
            if (s == null) {
                throw SecAggException.invalid("no share from contributor '" + from + "'");
            }
            byte[] key = SecAggCrypto.agree(encryption.getPrivate(),
                    SecAggCrypto.publicKey(roster.get(at).encryptionKey()), session, SHARE_PURPOSE);
            byte[] plain;
            try {
                plain = SecAggCrypto.open(key, s.ciphertext(), associated(session, from, name));
            } catch (IllegalArgumentException e) {
                throw SecAggException.invalid("the share from '" + from + "': " + e.getMessage());
            }
            if (plain.length != 2 * SECRET) {
                throw SecAggException.invalid("the share from '" + from + "' has " + plain.length + " bytes");
            }
            held.put(from, new byte[][] {Arrays.copyOf(plain, SECRET), Arrays.copyOfRange(plain, SECRET, 2 * SECRET)});
        }
        this.contributors = c;
        long[] y = input.clone();
        SecAggCrypto.addMask(y, selfMask, 1);
        for (String v : c) {
            if (!v.equals(name)) {
                KeyAdvert peer = roster.get(Roster.indexOf(roster, v));
                byte[] seed = SecAggCrypto.agree(masking.getPrivate(), SecAggCrypto.publicKey(peer.maskingKey()), session,
                        MASK_PURPOSE);
                SecAggCrypto.addMask(y, seed, Roster.sign(name, v));
            }
        }
        return y;
    }

    /**
     * Stage 4: shares of the survivors' self-mask seeds and of the dropped participants' masking keys.
     * Refuses (and reveals nothing) unless survivors and dropped split the contributors, this
     * participant survived, and the survivors reach the threshold; answers only once per session.
     */
    public List<Reveal> reveal(List<String> survivors, List<String> dropped) {
        if (contributors == null) {
            throw new IllegalStateException("reveal before mask");
        }
        Set<String> s = new HashSet<>(survivors);
        Set<String> d = new HashSet<>(dropped);
        Set<String> all = new HashSet<>(s);
        all.addAll(d);
        if (s.size() != survivors.size() || d.size() != dropped.size() || all.size() != s.size() + d.size()
                || !all.equals(contributors)) {
            throw SecAggException.invalid("survivors " + survivors + " and dropped " + dropped
                    + " must split the contributors " + new java.util.TreeSet<>(contributors) + " exactly");
        }
        if (!s.contains(name)) {
            throw new SecAggException(SecAggException.Kind.EXCLUDED, "'" + name + "' is not among the survivors");
        }
        if (s.size() < threshold) {
            throw SecAggException.invalid(s.size() + " survivors, below the threshold " + threshold
                    + ": revealing would not let the sum be rebuilt");
        }
        if (revealed) {
            throw new SecAggException(SecAggException.Kind.CONFLICT, "'" + name + "' already revealed its shares");
        }
        revealed = true;
        List<Reveal> out = new ArrayList<>();
        for (String u : new java.util.TreeSet<>(s)) {
            out.add(new Reveal(u, Reveal.Secret.SELF_MASK, held.get(u)[0]));
        }
        for (String u : new java.util.TreeSet<>(d)) {
            out.add(new Reveal(u, Reveal.Secret.MASKING_KEY, held.get(u)[1]));
        }
        return out;
    }

    static String associated(String session, String from, String to) {
        return session + "|" + from + "|" + to;
    }
}
