package io.fedtt.worker.model.source;

import io.fedtt.core.model.HubClient;
import io.fedtt.core.model.ModelUri;
import io.fedtt.core.tensor.Digest;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Downloads a model in Hugging Face layout: {@code https://host/dir} (the files under that directory)
 * or {@code hf:org/name[@revision]} (the Hub's resolve URLs, base URL configurable), through
 * {@link HubClient} (https only; a token, when configured, only to the hub's origin, never to redirect
 * targets such as CDNs). It takes config.json, tokenizer.json and model.safetensors; when there is no
 * model.safetensors (HTTP 404) the checkpoint is sharded: model.safetensors.index.json and every shard it
 * lists (plain file names ending in .safetensors). Files go to a temporary directory, are checked against
 * the SHA-256 sums given in the URI fragment ({@link ModelUri}; shards may be pinned too), and the
 * directory is renamed into the cache only when every file is complete and correct; any failure leaves
 * nothing in the cache.
 */
public final class HttpModelSource implements ModelSource {

    public static final String HF_SCHEME = ModelUri.HF_SCHEME;
    public static final URI DEFAULT_HUB = HubClient.DEFAULT_HUB;

    private final HubClient hub;
    private final long maxFileBytes;

    /**
     * @param hubBase base URL for {@code hf:} URIs
     * @param token bearer token for the hub (e.g. from HF_TOKEN), sent to the hub's host only
     * @param allowPlainHttp accept {@code http:} URLs (tests against a local server); off in production
     * @param maxFileBytes largest file accepted
     */
    public HttpModelSource(URI hubBase, Optional<String> token, boolean allowPlainHttp, long maxFileBytes) {
        this(new HubClient(hubBase, token, allowPlainHttp, Duration.ofSeconds(30), Duration.ofMinutes(30)), maxFileBytes);
    }

    public HttpModelSource(HubClient hub, long maxFileBytes) {
        this.hub = hub;
        this.maxFileBytes = maxFileBytes;
    }

    /** The public hub (HF_ENDPOINT overrides it), HF_TOKEN from the environment, https only, files up to 8 GiB. */
    public static HttpModelSource fromEnvironment(Map<String, String> env) {
        return new HttpModelSource(HubClient.fromEnvironment(env, Duration.ofSeconds(30), Duration.ofMinutes(30)), 8L << 30);
    }

    @Override
    public boolean supports(String uri) {
        return HubClient.supports(uri);
    }

    @Override
    public Path resolve(String uri, Path cacheDir) throws IOException {
        ModelUri parsed = ModelUri.parse(uri);
        HubClient.Remote remote = hub.remote(parsed.location());
        String key = CacheDirectories.safeName(remote.name()) + "-" + shortHash(parsed.location() + "#" + parsed.sha256());
        Path target = cacheDir.resolve(remote.kind()).resolve(key);
        return CacheDirectories.publish(target, dir -> {
            Set<String> fetched = new LinkedHashSet<>();
            download(remote, HfModelDirectory.CONFIG, dir, parsed, fetched);
            download(remote, HfModelDirectory.TOKENIZER, dir, parsed, fetched);
            try {
                download(remote, HfModelDirectory.WEIGHTS, dir, parsed, fetched);
            } catch (HubClient.HttpStatusException e) {
                if (e.status() != 404) {
                    throw e;
                }
                Files.deleteIfExists(dir.resolve(HfModelDirectory.WEIGHTS));
                downloadShards(remote, dir, parsed, fetched);
            }
            Set<String> unused = new TreeSet<>(parsed.sha256().keySet());
            unused.removeAll(fetched);
            if (!unused.isEmpty()) {
                throw new IOException("'" + uri + "' pins checksums of " + unused + ", which the model at "
                        + remote.base() + " does not have (it has " + fetched + ")");
            }
        });
    }

    /** model.safetensors.index.json, then each shard it lists once. */
    private void downloadShards(HubClient.Remote remote, Path dir, ModelUri parsed, Set<String> fetched)
            throws IOException {
        try {
            download(remote, SafetensorsCheckpoint.INDEX, dir, parsed, fetched);
        } catch (HubClient.HttpStatusException e) {
            if (e.status() == 404) {
                throw new IOException(remote.base() + " has neither " + HfModelDirectory.WEIGHTS + " nor "
                        + SafetensorsCheckpoint.INDEX + " (both answered HTTP 404)", e);
            }
            throw e;
        }
        Map<String, String> weightMap = SafetensorsCheckpoint.readIndex(dir.resolve(SafetensorsCheckpoint.INDEX));
        Set<String> shards = new TreeSet<>(weightMap.values());
        for (String shard : shards) {
            if (!ModelUri.shardName(shard)) {
                throw new IOException(remote.file(SafetensorsCheckpoint.INDEX) + " lists shard '" + shard
                        + "': shard names must be plain file names of letters, digits, '.', '_' and '-' ending in .safetensors");
            }
        }
        if (shards.isEmpty()) {
            throw new IOException(remote.file(SafetensorsCheckpoint.INDEX) + " lists no shards");
        }
        for (String shard : shards) {
            download(remote, shard, dir, parsed, fetched);
        }
    }

    private void download(HubClient.Remote remote, String file, Path dir, ModelUri parsed, Set<String> fetched)
            throws IOException {
        URI url = remote.file(file);
        String actual;
        try (OutputStream out = Files.newOutputStream(dir.resolve(file))) {
            actual = hub.get(url, out, maxFileBytes);
        }
        String expected = parsed.sha256().get(file);
        if (expected != null && !expected.equals(actual)) {
            throw new IOException("checksum mismatch for " + file + " from " + url + ": expected sha256 " + expected
                    + ", got " + actual);
        }
        fetched.add(file);
    }

    private static String shortHash(String s) {
        return Digest.sha256Hex(s.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
