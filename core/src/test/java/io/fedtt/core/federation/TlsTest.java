package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.FederationHttpException;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TlsConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a self-signed certificate made by keytool: PKCS#12 and PEM (Kubernetes TLS Secret shape). */
class TlsTest {

    private static final char[] PASSWORD = "changeit-test".toCharArray();

    @TempDir
    static Path dir;
    static Path keystore;
    static Path certPem;
    static Path keyPem;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keystore = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=fedtt-test", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        Certificate cert = ks.getCertificate("server");
        PrivateKey key = (PrivateKey) ks.getKey("server", PASSWORD);
        certPem = dir.resolve("tls.crt");
        keyPem = dir.resolve("tls.key");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    @Timeout(60)
    void roundTripOverHttpsWithAPkcs12Keystore() throws Exception {
        runJob("p12", TlsConfig.serverFromPkcs12(keystore, PASSWORD));
    }

    @Test
    @Timeout(60)
    void roundTripOverHttpsWithPemCertificateAndKey() throws Exception {
        runJob("pem", TlsConfig.serverFromPem(certPem, keyPem));
    }

    private void runJob(String name, SSLContext serverTls) throws Exception {
        JobId job = new JobId("secure", name);
        List<String> silos = List.of("silo-a", "silo-b");
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos("silo-a", "silo-b").rounds(2).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback().withTls(serverTls))) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(silos)));
            URI base = server.baseUri();
            assertEquals("https", base.getScheme());
            SSLContext trust = TlsConfig.clientTrusting(certPem);
            for (String s : silos) {
                FederationClient c = new FederationClient(FederationClient.Config.of(base, job, s, Fx.token(s)).withTls(trust));
                Thread t = new Thread(() -> ClientLoop.run(c, Fx.trainer(s)));
                t.start();
                if (s.equals("silo-b")) {
                    t.join(30_000);
                }
            }
            FederationHttpTest.await(() -> coordinator.status().phase() == JobPhase.SUCCEEDED, "the job over TLS");
            // A client that does not trust the certificate cannot talk to the server.
            FederationClient untrusting = new FederationClient(FederationClient.Config.of(base, job, "silo-a",
                    Fx.token("silo-a")).withRetry(new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0)));
            FederationHttpException e = assertThrows(FederationHttpException.class, () -> untrusting.pollTask(0));
            assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
        } finally {
            coordinator.close();
        }
    }
}
