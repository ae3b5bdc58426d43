package io.fedtt.bench.federation;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.tensor.AdapterState;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upload throughput of the 99,194-float adapter update over loopback, one client uploading
 * sequentially on one connection, next to a plain TCP socket moving the same bytes the same way
 * (length-prefixed body, 1-byte ack) in the same run. The protocol path includes HTTP, the sha256
 * digest, decoding and validating every tensor, adding it to the streaming FedAvg, and (file store)
 * writing it durably with fsync before the ack.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.fedtt.bench.federation.UploadThroughputBenchmark [uploads]}
 */
public final class UploadThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        AdapterState global = BenchSupport.robertaAdapter();
        byte[] body = BenchSupport.update(global, 7);
        System.out.println("# upload throughput, " + BenchSupport.machine() + ", body " + body.length + " bytes, "
                + uploads + " uploads after " + uploads / 3 + " warm-up");
        System.out.println("| path | uploads/s | MB/s | ms per upload | vs raw socket |");
        System.out.println("|---|---|---|---|---|");
        double raw = rawSocket(body, uploads / 3);
        raw = rawSocket(body, uploads);
        Path dir = Files.createTempDirectory("fedtt-upload");
        try {
            protocol(global, body, uploads / 3, new MemoryRoundStore(), "warmup");
            double mem = protocol(global, body, uploads, new MemoryRoundStore(), "mem");
            double file = protocol(global, body, uploads, new FileRoundStore(dir), "file");
            row("raw TCP socket (same bytes, 1-byte ack)", raw, body.length, raw);
            row("HTTP PUT, validated, memory store", mem, body.length, raw);
            row("HTTP PUT, validated, file store (fsync before ack)", file, body.length, raw);
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    private static void row(String name, double perSecond, int bytes, double raw) {
        System.out.printf("| %s | %.0f | %.0f | %.2f | %.2fx |%n", name, perSecond, perSecond * bytes / 1e6,
                1000 / perSecond, raw / perSecond);
    }

    /** Uploads per second through the federation endpoint. */
    private static double protocol(AdapterState global, byte[] body, int n, RoundStore store, String tag) throws Exception {
        JobId job = new JobId("bench", "upload-" + tag);
        List<String> names = new ArrayList<>();
        Map<String, String> tokens = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String p = String.format("client-%05d", i);
            names.add(p);
            tokens.put(p, BenchSupport.token(p));
        }
        // One round with n participants: each upload is a distinct, accepted update.
        FederationJobSpec spec = FederationJobSpec.builder(job, global)
                .participants(names.stream().map(Participant::of).toList()).rounds(1).build();
        RoundCoordinator c = RoundCoordinator.open(spec, store, CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(c, TokenRegistry.of(tokens));
            var http = FederationClient.newHttpClient(null);
            List<FederationClient> clients = new ArrayList<>();
            for (String p : names) {
                clients.add(new FederationClient(FederationClient.Config.of(server.baseUri(), job, p, tokens.get(p)), http));
            }
            long t0 = System.nanoTime();
            for (FederationClient client : clients) {
                client.uploadBytes(1, body);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return n / seconds;
        } finally {
            c.close();
        }
    }

    /** Transfers per second of the same bytes over a plain loopback TCP connection. */
    private static double rawSocket(byte[] body, int n) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 65536));
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < n; i++) {
                        byte[] got = new byte[in.readInt()];
                        in.readFully(got);
                        out.write(1);
                        out.flush();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            server.start();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                s.setTcpNoDelay(true);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                InputStream in = s.getInputStream();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    out.writeInt(body.length);
                    out.write(body);
                    out.flush();
                    if (in.read() != 1) {
                        throw new IllegalStateException("raw server did not ack");
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                server.join();
                return n / seconds;
            }
        }
    }
}
