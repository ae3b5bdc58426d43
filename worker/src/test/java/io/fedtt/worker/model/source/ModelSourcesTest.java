package io.fedtt.worker.model.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fedtt.core.model.ModelUri;
import io.fedtt.core.tensor.Digest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hf:, https: (plain http to a loopback server in tests) and file: sources; no engine needed. */
class ModelSourcesTest {

    static final Map<String, byte[]> FILES = Map.of(
            "config.json", "{\"model_type\":\"bert\"}".getBytes(StandardCharsets.UTF_8),
            "model.safetensors", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
            "tokenizer.json", "{\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));

    /** A sharded checkpoint at /org/sharded: no model.safetensors, an index and two shards. */
    static final Map<String, byte[]> SHARDED = Map.of(
            "config.json", FILES.get("config.json"),
            "tokenizer.json", FILES.get("tokenizer.json"),
            "model.safetensors.index.json", ("{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                    + "\"b\":\"model-00002-of-00002.safetensors\",\"c\":\"model-00001-of-00002.safetensors\"}}")
                    .getBytes(StandardCharsets.UTF_8),
            "model-00001-of-00002.safetensors", new byte[] {11, 12, 13},
            "model-00002-of-00002.safetensors", new byte[] {21, 22});

    HttpServer hub;
    HttpServer cdn;
    final List<String> hubRequests = new CopyOnWriteArrayList<>();
    final Map<String, String> authSeen = new ConcurrentHashMap<>();

    @TempDir
    Path cache;

    @BeforeEach
    void start() throws IOException {
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/blob/", ex -> {
            String file = ex.getRequestURI().getPath().substring("/blob/".length());
            authSeen.put("cdn:" + file, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            byte[] body = FILES.containsKey(file) ? FILES.get(file) : SHARDED.get(file);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        cdn.start();
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            hubRequests.add(path);
            authSeen.put("hub:" + path, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String file = path.substring(path.lastIndexOf('/') + 1);
            byte[] body = path.startsWith("/org/sharded/") ? SHARDED.get(file)
                    : path.startsWith("/org/evil/") ? (file.equals("model.safetensors.index.json")
                            ? "{\"weight_map\":{\"a\":\"x%2F..safetensors\"}}".getBytes(StandardCharsets.UTF_8)
                            : file.equals("model.safetensors") ? null : FILES.get(file))
                    : path.startsWith("/org/bare/") && !file.equals("config.json") && !file.equals("tokenizer.json") ? null
                    : FILES.get(file);
            if (body == null || path.contains("missing")) {
                ex.sendResponseHeaders(404, -1);
            } else if (file.endsWith(".safetensors") && path.startsWith("/org/")) {
                // the Hub redirects large files to a CDN on another origin
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blob/" + file);
                ex.sendResponseHeaders(302, -1);
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
        hub.stop(0);
        cdn.stop(0);
    }

    URI hubUrl() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    HttpModelSource source(String token) {
        return new HttpModelSource(hubUrl(), Optional.ofNullable(token), true, 1 << 20);
    }

    static String sha(String file) {
        return "sha256:" + Digest.sha256Hex(FILES.get(file));
    }

    @Test
    void hfUriDownloadsTheRevisionWithChecksumsIntoTheCache() throws IOException {
        String uri = "hf:org/tiny-bert@abc123#model.safetensors=" + sha("model.safetensors")
                + "&config.json=" + sha("config.json");
        Path dir = source("secret").resolve(uri, cache);
        for (var e : FILES.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())), e.getKey());
        }
        assertTrue(hubRequests.contains("/org/tiny-bert/resolve/abc123/config.json"), hubRequests.toString());
        assertTrue(dir.startsWith(cache.resolve("hf")));
        // the token goes to the hub, never to the redirect target
        assertEquals("Bearer secret", authSeen.get("hub:/org/tiny-bert/resolve/abc123/config.json"));
        assertEquals("null", authSeen.get("cdn:model.safetensors"));
        int before = hubRequests.size();
        assertEquals(dir, source("secret").resolve(uri, cache));
        assertEquals(before, hubRequests.size(), "second resolve is a cache hit");
    }

    @Test
    void checksumMismatchLeavesNothingInTheCache() throws IOException {
        String wrong = "sha256:" + "0".repeat(64);
        IOException e = assertThrows(IOException.class,
                () -> source(null).resolve("hf:org/tiny-bert#model.safetensors=" + wrong, cache));
        assertTrue(e.getMessage().contains("checksum mismatch for model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("got " + sha("model.safetensors").substring(7)), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void httpErrorNamesTheUrlAndLeavesNothing() throws IOException {
        IOException e = assertThrows(IOException.class, () -> source(null).resolve("hf:missing/model", cache));
        assertTrue(e.getMessage().contains("/missing/model/resolve/main/config.json answered HTTP 404"), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void httpsStyleDirectoryUrlDownloadsTheThreeFiles() throws IOException {
        String uri = hubUrl() + "/models/tiny/#tokenizer.json=" + sha("tokenizer.json");
        Path dir = source(null).resolve(uri, cache);
        assertTrue(dir.startsWith(cache.resolve("https")));
        assertTrue(dir.getFileName().toString().startsWith("tiny-"));
        assertTrue(hubRequests.contains("/models/tiny/model.safetensors"), hubRequests.toString());
        assertArrayEquals(FILES.get("model.safetensors"), Files.readAllBytes(dir.resolve("model.safetensors")));
    }

    @Test
    void aShardedCheckpointComesWithItsIndexAndEveryShardOnce() throws IOException {
        String shard1 = "model-00001-of-00002.safetensors";
        String uri = "hf:org/sharded#" + shard1 + "=sha256:" + Digest.sha256Hex(SHARDED.get(shard1));
        Path dir = source("secret").resolve(uri, cache);
        for (var e : SHARDED.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())), e.getKey());
        }
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        assertEquals(1, hubRequests.stream().filter(r -> r.endsWith(shard1)).count(), hubRequests.toString());
        assertEquals("null", authSeen.get("cdn:" + shard1), "shards come from the CDN without the token");
    }

    @Test
    void aWrongShardChecksumOrAPinOnAFileTheModelLacksLeavesNothing() {
        String shard2 = "model-00002-of-00002.safetensors";
        IOException e = assertThrows(IOException.class,
                () -> source(null).resolve("hf:org/sharded#" + shard2 + "=sha256:" + "0".repeat(64), cache));
        assertTrue(e.getMessage().contains("checksum mismatch for " + shard2), e.getMessage());
        e = assertThrows(IOException.class,
                () -> source(null).resolve("hf:org/sharded#model.safetensors=" + sha("model.safetensors"), cache));
        assertTrue(e.getMessage().contains("pins checksums of [model.safetensors]"), e.getMessage());
        assertEquals(List.of(), assertDoesNotThrowLeftovers());
    }

    @Test
    void anIndexNamingAPathOrNoWeightsAtAllIsRefused() {
        IOException e = assertThrows(IOException.class, () -> source(null).resolve("hf:org/evil", cache));
        assertTrue(e.getMessage().contains("weight_map.a must name a .safetensors file")
                || e.getMessage().contains("shard names must be plain file names"), e.getMessage());
        e = assertThrows(IOException.class, () -> source(null).resolve("hf:org/bare", cache));
        assertTrue(e.getMessage().contains("has neither model.safetensors nor model.safetensors.index.json"), e.getMessage());
        assertEquals(List.of(), assertDoesNotThrowLeftovers());
    }

    List<Path> assertDoesNotThrowLeftovers() {
        try {
            return leftovers();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void plainHttpIsRefusedUnlessAllowed() {
        HttpModelSource production = new HttpModelSource(URI.create("https://huggingface.co"), Optional.empty(), false, 1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> production.resolve(hubUrl() + "/models/tiny", cache));
        assertTrue(e.getMessage().contains("https only"), e.getMessage());
    }

    @Test
    void badChecksumSyntaxAndBadHfNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ModelUri.parse("hf:a/b#weights.bin=sha256:" + "0".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> ModelUri.parse("hf:a/b#config.json=md5:abc"));
        assertThrows(IllegalArgumentException.class, () -> source(null).resolve("hf:../../etc", cache));
        assertThrows(IllegalArgumentException.class, () -> source(null).resolve("hf:a/b@../x", cache));
    }

    @Test
    void localDirectoryByFileUriOrPath(@TempDir Path models) throws IOException {
        Path dir = models.resolve("m");
        Files.createDirectories(dir);
        for (var e : FILES.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        ModelSources sources = new ModelSources(List.of(new BuiltinModelSource(), source(null), new LocalModelSource()));
        assertEquals(dir, sources.resolve("file:" + dir, cache));
        assertEquals(dir, sources.resolve("file://" + dir, cache));
        assertEquals(dir, sources.resolve(dir.toString(), cache));
        Files.delete(dir.resolve("config.json"));
        IOException e = assertThrows(IOException.class, () -> sources.resolve(dir.toString(), cache));
        assertTrue(e.getMessage().contains("has no config.json"), e.getMessage());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> sources.resolve("s3://bucket/m", cache));
        assertTrue(u.getMessage().contains("unsupported model uri"), u.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> sources.resolve("builtin:gpt-5", cache));
        assertTrue(b.getMessage().contains("available: builtin:all-minilm-l6-v2"), b.getMessage());
        assertFalse(Files.exists(cache.resolve("builtin")));
    }

    @Test
    void aModelOnAClaimIsReadWhereTheClaimIsMounted(@TempDir Path root) throws IOException {
        Path dir = root.resolve("models/llama");
        Files.createDirectories(dir);
        for (var e : FILES.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        assertEquals(dir, new PvcModelSource(root).resolve("pvc:models/llama", cache));
        assertEquals(root.resolve("models"), new ModelSources(List.of(new PvcModelSource(root.getParent().resolve(
                root.getFileName())))).supports("pvc:models") ? dirOf(root, "models") : null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PvcModelSource(null).resolve("pvc:models/llama", cache));
        assertTrue(e.getMessage().contains("only a worker pod mounts"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PvcModelSource(root).resolve("pvc:models/../../etc", cache));
    }

    /** A claim's root as a model folder (files copied there for the check). */
    Path dirOf(Path root, String claim) throws IOException {
        for (var e : FILES.entrySet()) {
            Files.write(root.resolve(claim).resolve(e.getKey()), e.getValue());
        }
        return new PvcModelSource(root).resolve("pvc:" + claim, cache);
    }

    List<Path> leftovers() throws IOException {
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
