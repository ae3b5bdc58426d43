package io.fedtt.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.tensor.Digest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** file:, hf: and https: config.json reads; hf: and https: against loopback servers (plain http allowed). */
class ModelConfigFetcherTest {

    static final String LLAMA = "{\"model_type\":\"llama\",\"hidden_size\":64,\"num_hidden_layers\":2,"
            + "\"intermediate_size\":160,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":400,"
            + "\"max_position_embeddings\":256}";
    static final ModelConfig TINY_LLAMA = ModelConfig.llama(64, 2, 160, 4, 2, 400, 256, false, false);

    HttpServer hub;
    HttpServer cdn;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final Map<String, String> auth = new ConcurrentHashMap<>();
    final CountDownLatch never = new CountDownLatch(1);

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/", ex -> {
            auth.put("cdn", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            byte[] body = LLAMA.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        cdn.start();
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hub.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            auth.put(path, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            if (path.startsWith("/slow/")) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
                return;
            }
            if (path.startsWith("/moved/")) {
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blob");
                ex.sendResponseHeaders(302, -1);
                ex.close();
                return;
            }
            byte[] body = path.startsWith("/big/") ? new byte[HfConfig.MAX_BYTES + 1]
                    : path.startsWith("/gpt/") ? "{\"model_type\":\"gpt2\"}".getBytes(StandardCharsets.UTF_8)
                    : LLAMA.getBytes(StandardCharsets.UTF_8);
            if (path.contains("missing")) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        hub.start();
    }

    @AfterEach
    void stop() {
        never.countDown();
        hub.stop(0);
        cdn.stop(0);
    }

    String hubUrl() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    ModelConfigFetcher fetcher(String token, Duration timeout) {
        return new ModelConfigFetcher(new HubClient(URI.create(hubUrl()), Optional.ofNullable(token), true,
                timeout, timeout), dir);
    }

    ModelConfigFetcher fetcher() {
        return fetcher("secret", Duration.ofSeconds(10));
    }

    @Test
    void aLocalFolderIsReadRelativeToTheBase() throws IOException {
        Files.createDirectories(dir.resolve("models/tiny"));
        Files.writeString(dir.resolve("models/tiny/config.json"), LLAMA);
        assertEquals(TINY_LLAMA, fetcher().fetch("file:models/tiny"));
        assertEquals(TINY_LLAMA, fetcher().fetch("file:" + dir.resolve("models/tiny")));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> fetcher().fetch("file:models/other"));
        assertTrue(e.getMessage().contains("no such model folder"), e.getMessage());
    }

    @Test
    void hfReadsTheRevisionsConfigAndSendsTheTokenToTheHubOnly() throws IOException {
        assertEquals(TINY_LLAMA, fetcher().fetch("hf:org/tiny@v2"));
        assertEquals(List.of("/org/tiny/resolve/v2/config.json"), requests);
        assertEquals("Bearer secret", auth.get("/org/tiny/resolve/v2/config.json"));
        assertEquals(TINY_LLAMA, fetcher().fetch("hf:moved/tiny"));
        assertEquals("null", auth.get("cdn"), "no token to a redirect target on another origin");
    }

    @Test
    void httpsReadsConfigJsonUnderTheDirectory() throws IOException {
        assertEquals(TINY_LLAMA, fetcher(null, Duration.ofSeconds(10)).fetch(hubUrl() + "/models/tiny/"));
        assertEquals(List.of("/models/tiny/config.json"), requests);
    }

    @Test
    void aMissingModelIsAPermanentHttpError() {
        HubClient.HttpStatusException e = assertThrows(HubClient.HttpStatusException.class,
                () -> fetcher().fetch("hf:org/missing"));
        assertEquals(404, e.status());
        assertTrue(e.permanent());
        assertTrue(e.getMessage().contains("/org/missing/resolve/main/config.json answered HTTP 404"), e.getMessage());
    }

    @Test
    void plainHttpIsRefusedUnlessAllowedAndTheChecksumPinIsChecked() {
        ModelConfigFetcher production = new ModelConfigFetcher(HubClient.fromEnvironment(Map.of(), Duration.ofSeconds(1),
                Duration.ofSeconds(1)), dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> production.fetch(hubUrl() + "/models/tiny"));
        assertTrue(e.getMessage().contains("https only"), e.getMessage());
        String right = Digest.sha256Hex(LLAMA.getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(IOException.class, () -> fetcher().fetch("hf:org/tiny#config.json=sha256:" + "0".repeat(64)))
                .getMessage().contains("checksum mismatch for config.json"));
        assertTrue(assertDoesNotThrowFetch("hf:org/tiny#config.json=sha256:" + right));
    }

    private boolean assertDoesNotThrowFetch(String uri) {
        try {
            return TINY_LLAMA.equals(fetcher().fetch(uri));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSlowOrHugeAnswerOrAnUnsupportedModelIsRefused() {
        long t0 = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> fetcher("x", Duration.ofMillis(500)).fetch("hf:slow/model"));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the timeout bounds the whole fetch");
        IOException big = assertThrows(IOException.class, () -> fetcher().fetch("hf:big/model"));
        assertTrue(big.getMessage().contains("more than " + HfConfig.MAX_BYTES + " bytes"), big.getMessage());
        IllegalArgumentException gpt = assertThrows(IllegalArgumentException.class, () -> fetcher().fetch("hf:gpt/model"));
        assertTrue(gpt.getMessage().contains("model_type 'gpt2'"), gpt.getMessage());
        assertFalse(ModelConfigFetcher.fetchable("pvc:models/llama"));
        assertFalse(ModelConfigFetcher.fetchable("builtin:all-minilm-l6-v2"));
    }

    @Test
    void revisionsFromTheSpecJoinAnHfUriOnly() {
        assertEquals("hf:org/m@v2", ModelUri.withRevision("hf:org/m", "v2"));
        assertEquals("hf:org/m@v2#config.json=sha256:x", ModelUri.withRevision("hf:org/m#config.json=sha256:x", "v2"));
        assertEquals("hf:org/m@v2", ModelUri.withRevision("hf:org/m@v2", "v2"));
        assertEquals("file:/m", ModelUri.withRevision("file:/m", "v2"));
        assertEquals("hf:org/m", ModelUri.withRevision("hf:org/m", null));
        assertThrows(IllegalArgumentException.class, () -> ModelUri.withRevision("hf:org/m@v1", "v2"));
    }

    @Test
    void checksumPinsMayNameShards() {
        String sum = "sha256:" + "a".repeat(64);
        assertEquals(2, ModelUri.parse("hf:a/b#model-00001-of-00002.safetensors=" + sum + "&model.safetensors.index.json="
                + sum).sha256().size());
        assertThrows(IllegalArgumentException.class, () -> ModelUri.parse("hf:a/b#../x.safetensors=" + sum));
        assertThrows(IllegalArgumentException.class, () -> ModelUri.parse("hf:a/b#weights.bin=" + sum));
    }
}
