package io.fedtt.core.privacy.secagg;

import com.codahale.shamir.Scheme;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The primitives of secure aggregation, each from a kept library and none written here: X25519 key
 * agreement, AES-256-GCM and AES-256-CTR (the JDK), HKDF-SHA256 (Bouncy Castle) and Shamir secret
 * sharing over GF(256) (codahale). What this class adds is only their composition: which key is
 * derived for which purpose, and how a mask seed becomes a stream of 64-bit words.
 */
public final class SecAggCrypto {

    /** Bytes of every seed and derived key (AES-256). */
    public static final int SEED_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final NamedParameterSpec CURVE = NamedParameterSpec.X25519;

    private SecAggCrypto() {
    }

    /** A fresh X25519 key pair. */
    public static KeyPair keyPair(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
            g.initialize(CURVE, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks X25519: " + e.getMessage(), e);
        }
    }

    /** A public key as it travels (X.509 SubjectPublicKeyInfo). */
    public static byte[] encode(PublicKey key) {
        return key.getEncoded();
    }

    /**
     * A public key from its travelling form.
     *
     * @throws IllegalArgumentException when the bytes are not an X25519 public key
     */
    public static PublicKey publicKey(byte[] encoded) {
        try {
            PublicKey k = KeyFactory.getInstance("XDH").generatePublic(new X509EncodedKeySpec(encoded));
            if (!(k.getAlgorithm().equals("XDH") || k.getAlgorithm().equals("X25519"))
                    || encoded.length != encode(k).length) {
                throw new IllegalArgumentException("not an X25519 public key");
            }
            return k;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an X25519 public key: " + e.getMessage());
        }
    }

    /** The 32-byte scalar of a private key: what is secret-shared for dropout recovery. */
    public static byte[] scalar(PrivateKey key) {
        return ((XECPrivateKey) key).getScalar().orElseThrow(
                () -> new IllegalStateException("the X25519 private key does not expose its scalar"));
    }

    /** A private key from its scalar. */
    public static PrivateKey privateKey(byte[] scalar) {
        try {
            return KeyFactory.getInstance("XDH").generatePrivate(new XECPrivateKeySpec(CURVE, scalar));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 scalar: " + e.getMessage());
        }
    }

    /**
     * A 32-byte key both ends of a pair derive: HKDF-SHA256 over their X25519 shared secret, salted
     * with the session and labelled with the purpose, so that one agreement never keys two uses.
     *
     * @throws IllegalArgumentException when the peer's key is degenerate (an all-zero shared secret)
     */
    public static byte[] agree(PrivateKey mine, PublicKey theirs, String session, String purpose) {
        byte[] shared;
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(mine);
            ka.doPhase(theirs, true);
            shared = ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key agreement failed: " + e.getMessage());
        }
        return hkdf(shared, session, purpose);
    }

    static byte[] hkdf(byte[] secret, String session, String purpose) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(secret, session.getBytes(StandardCharsets.UTF_8),
                ("fedtt-secagg/" + purpose).getBytes(StandardCharsets.UTF_8)));
        byte[] out = new byte[SEED_BYTES];
        g.generateBytes(out, 0, out.length);
        return out;
    }

    /** SHA-256 of a 32-byte secret, published before the secret is shared, checked after it is rebuilt. */
    public static byte[] commitment(byte[] secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] randomSeed(SecureRandom random) {
        byte[] s = new byte[SEED_BYTES];
        random.nextBytes(s);
        return s;
    }

    // ================================================================ AEAD

    /** AES-256-GCM with a random nonce (prepended), authenticating {@code associated}. */
    public static byte[] seal(byte[] key, byte[] plain, String associated, SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            byte[] body = c.doFinal(plain);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + body.length);
            System.arraycopy(body, 0, out, NONCE_BYTES, body.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens what {@link #seal} made.
     *
     * @throws IllegalArgumentException when the ciphertext was altered, or sealed with another key or
     *     associated data
     */
    public static byte[] open(byte[] key, byte[] sealed, String associated) {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("ciphertext too short (" + sealed.length + " bytes)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("ciphertext does not authenticate (altered, or not meant for this key)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }

    // ================================================================ masks

    /**
     * Adds {@code sign} times the mask stream of {@code seed} to {@code into}, modulo 2^64: AES-256-CTR
     * keystream (zero IV; each seed keys one stream only) read as little-endian 64-bit words.
     */
    public static void addMask(long[] into, byte[] seed, int sign) {
        try {
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            int chunk = 8192;
            byte[] zeros = new byte[chunk * 8];
            byte[] stream = new byte[chunk * 8];
            for (int off = 0; off < into.length; off += chunk) {
                int n = Math.min(chunk, into.length - off);
                c.update(zeros, 0, n * 8, stream, 0);
                ByteBuffer b = ByteBuffer.wrap(stream, 0, n * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < n; k++) {
                    into[off + k] += sign * b.getLong();
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed: " + e.getMessage(), e);
        }
    }

    // ================================================================ Shamir

    /** Shares of a secret for holders 1..n (n at most 255), any {@code threshold} of which rebuild it. */
    public static Map<Integer, byte[]> split(byte[] secret, int n, int threshold, SecureRandom random) {
        return new Scheme(random, n, threshold).split(secret);
    }

    /**
     * The secret from at least the threshold's number of shares, by holder number.
     *
     * @throws IllegalArgumentException for shares of different lengths
     */
    public static byte[] join(Map<Integer, byte[]> shares, int n, int threshold) {
        // Scheme's join interpolates whatever shares it is given; n and threshold only check them.
        return new Scheme(new SecureRandom(), n, threshold).join(shares);
    }
}
