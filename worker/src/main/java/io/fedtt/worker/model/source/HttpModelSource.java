package io.fedtt.worker.model.source;

import io.fedtt.core.tensor.Digest;
import io.fedtt.worker.model.HfModelDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads a model in Hugging Face layout: {@code https://host/dir} (the three files under that
 * directory) or {@code hf:org/name[@revision]} (the Hub's resolve URLs, base URL configurable).
 * Files go to a temporary directory, are checked against the SHA-256 sums given in the URI
 * fragment ({@link ModelUri}), and the directory is renamed into the cache only when all three
 * are complete and correct; any failure leaves nothing in the cache. A token, when configured, is
 * sent only to the base URL's host, never to redirect targets (CDNs).
 */
public final class HttpModelSource implements ModelSource {

    public static final String HF_SCHEME = "hf:";
    public static final URI DEFAULT_HUB = URI.create("https://huggingface.co");
    private static final int MAX_REDIRECTS = 5;

    private final URI hubBase;
    private final Optional<String> token;
    private final boolean allowPlainHttp;
    private final long maxFileBytes;
    private final HttpClient client;

    /**
     * @param hubBase base URL for {@code hf:} URIs
     * @param token bearer token for the hub (e.g. from HF_TOKEN), sent to the hub's host only
     * @param allowPlainHttp accept {@code http:} URLs (tests against a local server); off in production
     * @param maxFileBytes largest file accepted
     */
    public HttpModelSource(URI hubBase, Optional<String> token, boolean allowPlainHttp, long maxFileBytes) {
        this.hubBase = Objects.requireNonNull(hubBase);
        this.token = token.filter(t -> !t.isBlank());
        this.allowPlainHttp = allowPlainHttp;
        this.maxFileBytes = maxFileBytes;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** The public hub, HF_TOKEN from the environment, https only, files up to 8 GiB. */
    public static HttpModelSource fromEnvironment(Map<String, String> env) {
        URI base = Optional.ofNullable(env.get("HF_ENDPOINT")).map(URI::create).orElse(DEFAULT_HUB);
        return new HttpModelSource(base, Optional.ofNullable(env.get("HF_TOKEN")), false, 8L << 30);
    }

    @Override
    public boolean supports(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.startsWith(HF_SCHEME) || lower.startsWith("https:") || lower.startsWith("http:");
    }

    @Override
    public Path resolve(String uri, Path cacheDir) throws IOException {
        ModelUri parsed = ModelUri.parse(uri);
        Remote remote = remote(parsed.location());
        String key = remote.cacheName() + "-" + shortHash(parsed.location() + "#" + parsed.sha256());
        Path target = cacheDir.resolve(remote.kind()).resolve(key);
        return CacheDirectories.publish(target, dir -> {
            for (String file : HfModelDirectory.FILES) {
                download(remote.fileUrl(file), dir.resolve(file), parsed.sha256().get(file));
            }
        });
    }

    /** Where the three files of a model URI live. */
    record Remote(String kind, String cacheName, URI base, boolean hub) {
        URI fileUrl(String file) {
            String b = base.toString();
            return URI.create(b.endsWith("/") ? b + file : b + "/" + file);
        }
    }

    Remote remote(String location) {
        if (location.startsWith(HF_SCHEME)) {
            String spec = location.substring(HF_SCHEME.length());
            String revision = "main";
            int at = spec.indexOf('@');
            if (at >= 0) {
                revision = spec.substring(at + 1);
                spec = spec.substring(0, at);
            }
            if (!spec.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("'" + location + "': expected hf:org/name[@revision]");
            }
            if (!revision.matches("[A-Za-z0-9][A-Za-z0-9._/-]*") || revision.contains("..")) {
                throw new IllegalArgumentException("'" + location + "': invalid revision '" + revision + "'");
            }
            String hub = hubBase.toString().replaceAll("/+$", "");
            URI base = URI.create(hub + "/" + spec + "/resolve/" + revision + "/");
            checkScheme(base, location);
            return new Remote("hf", CacheDirectories.safeName(spec.replace("/", "--") + "@" + revision), base, true);
        }
        URI base = URI.create(location);
        checkScheme(base, location);
        String path = Optional.ofNullable(base.getPath()).orElse("").replaceAll("/+$", "");
        String last = path.isEmpty() ? base.getHost() : path.substring(path.lastIndexOf('/') + 1);
        return new Remote("https", CacheDirectories.safeName(last), base, false);
    }

    private void checkScheme(URI url, String original) {
        String scheme = Optional.ofNullable(url.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || (scheme.equals("http") && allowPlainHttp)) || url.getHost() == null) {
            throw new IllegalArgumentException("'" + original + "': models are downloaded over https only"
                    + (scheme.equals("http") ? " (plain http is disabled)" : ""));
        }
    }

    private void download(URI url, Path file, String expectedSha256) throws IOException {
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(current).timeout(Duration.ofMinutes(30)).GET();
            if (token.isPresent() && sameOrigin(current, hubBase)) {
                req.header("Authorization", "Bearer " + token.get());
            }
            HttpResponse<InputStream> resp;
            try {
                resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading " + url, e);
            }
            int status = resp.statusCode();
            if (status / 100 == 3) {
                resp.body().close();
                String location = resp.headers().firstValue("Location")
                        .orElseThrow(() -> new IOException("GET " + url + ": redirect " + status + " without Location"));
                current = current.resolve(location);
                checkScheme(current, url.toString());
                continue;
            }
            try (InputStream body = resp.body()) {
                if (status != 200) {
                    throw new IOException("GET " + current + " answered HTTP " + status + errorSnippet(body));
                }
                String actual = copyHashing(body, file, url);
                if (expectedSha256 != null && !expectedSha256.equals(actual)) {
                    throw new IOException("checksum mismatch for " + file.getFileName() + " from " + url
                            + ": expected sha256 " + expectedSha256 + ", got " + actual);
                }
                return;
            }
        }
        throw new IOException("GET " + url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private String copyHashing(InputStream in, Path file, URI url) throws IOException {
        MessageDigest sha = Digest.sha256();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxFileBytes) {
                    throw new IOException("GET " + url + ": more than " + maxFileBytes + " bytes");
                }
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String errorSnippet(InputStream body) {
        try {
            byte[] b = body.readNBytes(200);
            String s = new String(b, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "" : ": " + s;
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String shortHash(String s) {
        return Digest.sha256Hex(s.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
