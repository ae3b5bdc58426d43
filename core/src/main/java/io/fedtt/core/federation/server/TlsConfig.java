package io.fedtt.core.federation.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material for the federation endpoint and its clients: a server identity from a PEM
 * certificate chain plus an unencrypted PKCS#8 PEM key (the shape of a Kubernetes TLS Secret), or
 * from a PKCS#12 keystore; and a client trust store from a PEM CA bundle.
 */
public final class TlsConfig {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private TlsConfig() {
    }

    /** A server context from {@code tls.crt} (chain, leaf first) and {@code tls.key} (PKCS#8 "PRIVATE KEY"). */
    public static SSLContext serverFromPem(Path certChain, Path pkcs8Key) {
        try {
            List<Certificate> chain = certificates(Files.readString(certChain, StandardCharsets.US_ASCII), certChain);
            PrivateKey key = privateKey(Files.readString(pkcs8Key, StandardCharsets.US_ASCII), pkcs8Key);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("server", key, pw, chain.toArray(Certificate[]::new));
            return serverContext(ks, pw);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load TLS certificate " + certChain + " and key " + pkcs8Key
                    + ": " + e.getMessage(), e);
        }
    }

    /** A server context from a PKCS#12 keystore holding one key entry. */
    public static SSLContext serverFromPkcs12(Path keystore, char[] password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return serverContext(ks, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load PKCS#12 keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    /** A client context trusting the certificates of a PEM bundle (e.g. the server's CA or self-signed cert). */
    public static SSLContext clientTrusting(Path pemBundle) {
        try {
            List<Certificate> certs = certificates(Files.readString(pemBundle, StandardCharsets.US_ASCII), pemBundle);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                ts.setCertificateEntry("ca-" + i, certs.get(i));
            }
            return clientTrusting(ts);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load CA bundle " + pemBundle + ": " + e.getMessage(), e);
        }
    }

    /** A client context trusting the certificates of a trust store. */
    public static SSLContext clientTrusting(KeyStore trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    private static SSLContext serverContext(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static List<Certificate> certificates(String pem, Path where) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> out = new ArrayList<>();
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                out.add(cf.generateCertificate(new ByteArrayInputStream(decode(m.group(2)))));
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no PEM 'CERTIFICATE' block in " + where);
        }
        return out;
    }

    private static PrivateKey privateKey(String pem, Path where) throws GeneralSecurityException {
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(decode(m.group(2)));
                for (String alg : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
                    try {
                        return KeyFactory.getInstance(alg).generatePrivate(spec);
                    } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException ignored) {
                        // try the next algorithm
                    }
                }
                throw new GeneralSecurityException("the PKCS#8 key in " + where + " is not RSA, EC or EdDSA");
            }
            if (m.group(1).endsWith("PRIVATE KEY")) {
                throw new GeneralSecurityException(where + " holds a '" + m.group(1)
                        + "' block; convert it to PKCS#8 ('openssl pkcs8 -topk8 -nocrypt')");
            }
        }
        throw new GeneralSecurityException("no PEM 'PRIVATE KEY' block in " + where);
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }
}
