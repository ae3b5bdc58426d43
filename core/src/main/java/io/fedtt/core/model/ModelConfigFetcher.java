package io.fedtt.core.model;

import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataUri;
import io.fedtt.core.tensor.Digest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a model's shape from its {@code config.json} without its weights: {@code file:<dir>} (or a
 * plain path; relative ones against a base folder) reads {@code <dir>/config.json};
 * {@code hf:org/name[@revision]} fetches {@code <hub>/org/name/resolve/<revision>/config.json};
 * {@code https://host/dir} fetches {@code https://host/dir/config.json}; both through
 * {@link HubClient} (https only, the token only to the hub, at most {@link HfConfig#MAX_BYTES}, one
 * timeout for the whole answer). A {@code config.json=sha256:...} pin in the URI's fragment is checked.
 * What the operator and {@code fedtt simulate} use when a manifest leaves out
 * {@code spec.model.architecture}, and to check it when it does not.
 */
public final class ModelConfigFetcher {

    /** Connect and whole-answer timeout of a fetch: a reconcile waits for it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private final HubClient hub;
    private final Path baseDir;

    /**
     * @param hub how hf: and https: locations are fetched
     * @param baseDir what relative file: locations resolve against
     */
    public ModelConfigFetcher(HubClient hub, Path baseDir) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    }

    /** HF_ENDPOINT and HF_TOKEN from {@code env}, https only, {@link #DEFAULT_TIMEOUT}. */
    public static ModelConfigFetcher fromEnvironment(Map<String, String> env, Path baseDir) {
        return new ModelConfigFetcher(HubClient.fromEnvironment(env, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT), baseDir);
    }

    /** Whether a URI is read over HTTP (hf:, https:) rather than from a local folder. */
    public static boolean remote(String uri) {
        return HubClient.supports(uri);
    }

    /** Whether {@link #fetch} can read this URI from here: file:, a plain path, hf: or https:. */
    public static boolean fetchable(String uri) {
        if (uri == null || uri.isBlank()) {
            return false;
        }
        return remote(uri) || uri.startsWith(DataUri.FILE) || !uri.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*");
    }

    /**
     * The shape (no labels) the model's config.json describes.
     *
     * @throws NoSuchFileException a local model folder (or its config.json) that is not there
     * @throws HubClient.HttpStatusException the server answered other than 200 (404: no such model or file)
     * @throws ConfigJsonException a config.json that is not a JSON object, too large, or not the pinned file
     * @throws IOException a network failure or timeout
     * @throws IllegalArgumentException a malformed URI, an unsupported family, or a field out of range
     */
    public ModelConfig fetch(String uri) throws IOException {
        if (!fetchable(uri)) {
            throw new IllegalArgumentException("'" + uri + "': the model's config.json cannot be read from here"
                    + " (file:, hf: and https: can)");
        }
        if (!remote(uri)) {
            Path dir = DataUri.resolve(uri, baseDir);
            Path config = dir.resolve(HfConfig.FILE);
            if (!Files.isRegularFile(config)) {
                throw new NoSuchFileException(config.toString(), null, Files.isDirectory(dir)
                        ? "the model folder has no " + HfConfig.FILE : "no such model folder");
            }
            return HfConfig.describe(config);
        }
        ModelUri parsed = ModelUri.parse(uri);
        URI url = hub.remote(parsed.location()).file(HfConfig.FILE);
        byte[] body;
        try {
            body = hub.getBytes(url, HfConfig.MAX_BYTES);
        } catch (HubClient.TooLargeException e) {
            throw new ConfigJsonException(e.getMessage() + "; not a config.json", e);
        }
        String pinned = parsed.sha256().get(HfConfig.FILE);
        if (pinned != null) {
            String actual = Digest.sha256Hex(body).toLowerCase(Locale.ROOT);
            if (!pinned.equals(actual)) {
                throw new ConfigJsonException("checksum mismatch for " + HfConfig.FILE + " from " + url + ": expected sha256 "
                        + pinned + ", got " + actual);
            }
        }
        return HfConfig.describe(HfConfig.parse(body, url.toString()), url.toString());
    }
}
