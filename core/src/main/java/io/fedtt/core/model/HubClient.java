package io.fedtt.core.model;

import io.fedtt.core.tensor.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP access to models in Hugging Face layout: {@code hf:org/name[@revision]} (the Hub's resolve
 * URLs, base URL from {@code HF_ENDPOINT}) and {@code https://host/dir} (files under that directory).
 * Https only (plain http only when allowed, for tests against a local server), redirects followed by
 * hand (at most 5, each target checked again) so that the bearer token ({@code HF_TOKEN}) goes only
 * to the hub's own origin, never to a redirect target such as a CDN; every body capped in size.
 * The worker downloads whole models through it; the operator and {@code fedtt simulate} read only
 * config.json ({@link ModelConfigFetcher}).
 */
public final class HubClient {

    public static final URI DEFAULT_HUB = URI.create("https://huggingface.co");
    static final int MAX_REDIRECTS = 5;

    private static final ExecutorService BOUNDED = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fedtt-hub-fetch");
        t.setDaemon(true);
        return t;
    });

    /** A non-200 answer (after redirects). */
    public static final class HttpStatusException extends IOException {
        private final int status;

        HttpStatusException(URI url, int status, String snippet) {
            super("GET " + url + " answered HTTP " + status + snippet);
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** A 4xx other than 408 and 429: asking again gets the same answer. */
        public boolean permanent() {
            return status / 100 == 4 && status != 408 && status != 429;
        }
    }

    /** A body larger than the caller accepts. */
    public static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * Where the files of a model URI live.
     *
     * @param kind "hf" or "https"
     * @param name a readable name: org--name@revision, or the URL's last path segment
     * @param base the directory URL, ending in '/'
     */
    public record Remote(String kind, String name, URI base) {
        public URI file(String file) {
            return base.resolve(file);
        }
    }

    private final URI hubBase;
    private final Optional<String> token;
    private final boolean allowPlainHttp;
    private final Duration requestTimeout;
    private final HttpClient client;

    /**
     * @param hubBase base URL for {@code hf:} URIs
     * @param token bearer token for the hub (e.g. from HF_TOKEN), sent to the hub's origin only
     * @param allowPlainHttp accept {@code http:} URLs (tests against a local server); off in production
     * @param connectTimeout longest wait for a connection
     * @param requestTimeout longest wait for an answer's headers ({@link #get}); for {@link #getBytes},
     *     for the whole answer
     */
    public HubClient(URI hubBase, Optional<String> token, boolean allowPlainHttp, Duration connectTimeout,
                     Duration requestTimeout) {
        this.hubBase = Objects.requireNonNull(hubBase, "hubBase");
        this.token = token.filter(t -> !t.isBlank());
        this.allowPlainHttp = allowPlainHttp;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }

    /** The hub from HF_ENDPOINT (default huggingface.co), HF_TOKEN, https only. */
    public static HubClient fromEnvironment(Map<String, String> env, Duration connectTimeout, Duration requestTimeout) {
        URI base = Optional.ofNullable(env.get("HF_ENDPOINT")).filter(s -> !s.isBlank()).map(URI::create)
                .orElse(DEFAULT_HUB);
        return new HubClient(base, Optional.ofNullable(env.get("HF_TOKEN")), false, connectTimeout, requestTimeout);
    }

    public URI hubBase() {
        return hubBase;
    }

    /** Whether the URI is one this client fetches: hf:, https: (http: too, but refused unless allowed). */
    public static boolean supports(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.startsWith(ModelUri.HF_SCHEME) || lower.startsWith("https:") || lower.startsWith("http:");
    }

    /**
     * The directory of a model location (a {@link ModelUri#location()}, without checksums).
     *
     * @throws IllegalArgumentException for a malformed hf: name or revision, or a URL that is not https
     */
    public Remote remote(String location) {
        if (location.regionMatches(true, 0, ModelUri.HF_SCHEME, 0, ModelUri.HF_SCHEME.length())) {
            String spec = location.substring(ModelUri.HF_SCHEME.length());
            String revision = "main";
            int at = spec.indexOf('@');
            if (at >= 0) {
                revision = spec.substring(at + 1);
                spec = spec.substring(0, at);
            }
            if (!spec.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*") || spec.contains("..")) {
                throw new IllegalArgumentException("'" + location + "': expected hf:org/name[@revision]");
            }
            if (!revision.matches("[A-Za-z0-9][A-Za-z0-9._/-]*") || revision.contains("..")) {
                throw new IllegalArgumentException("'" + location + "': invalid revision '" + revision + "'");
            }
            String hub = hubBase.toString().replaceAll("/+$", "");
            URI base = URI.create(hub + "/" + spec + "/resolve/" + revision + "/");
            checkScheme(base, location);
            return new Remote("hf", spec.replace("/", "--") + "@" + revision, base);
        }
        URI url;
        try {
            url = URI.create(location);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + location + "': not a URL: " + e.getMessage(), e);
        }
        checkScheme(url, location);
        String path = Optional.ofNullable(url.getRawPath()).orElse("").replaceAll("/+$", "");
        String last = path.isEmpty() ? url.getHost() : path.substring(path.lastIndexOf('/') + 1);
        URI base = URI.create(url.getScheme() + "://" + url.getRawAuthority() + path + "/");
        return new Remote("https", last, base);
    }

    private void checkScheme(URI url, String original) {
        String scheme = Optional.ofNullable(url.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || (scheme.equals("http") && allowPlainHttp)) || url.getHost() == null) {
            throw new IllegalArgumentException("'" + original + "': models are downloaded over https only"
                    + (scheme.equals("http") ? " (plain http is disabled)" : ""));
        }
    }

    /**
     * Copies the body of {@code GET url} (after redirects) into {@code out}.
     *
     * @return the body's SHA-256, lowercase hex
     * @throws HttpStatusException for an answer other than 200
     * @throws IOException for a body over {@code maxBytes}, or a network failure
     */
    public String get(URI url, OutputStream out, long maxBytes) throws IOException {
        return get(url, out, maxBytes, new AtomicReference<>());
    }

    /**
     * The body of {@code GET url}, at most {@code maxBytes}, within the request timeout for the whole
     * exchange (headers and body): what a reconcile can afford to wait for.
     */
    public byte[] getBytes(URI url, int maxBytes) throws IOException {
        AtomicReference<InputStream> open = new AtomicReference<>();
        Future<byte[]> f = BOUNDED.submit(() -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            get(url, buf, maxBytes, open);
            return buf.toByteArray();
        });
        try {
            return f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            closeQuietly(open.get());
            throw new HttpTimeoutException("GET " + url + ": no complete answer within " + requestTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            f.cancel(true);
            closeQuietly(open.get());
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching " + url);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("GET " + url + ": " + c, c);
        }
    }

    private String get(URI url, OutputStream out, long maxBytes, AtomicReference<InputStream> open) throws IOException {
        URI current = url;
        checkScheme(current, url.toString());
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(current).timeout(requestTimeout).GET();
            if (token.isPresent() && sameOrigin(current, hubBase)) {
                req.header("Authorization", "Bearer " + token.get());
            }
            HttpResponse<InputStream> resp;
            try {
                resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while fetching " + url);
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
                open.set(body);
                if (status != 200) {
                    throw new HttpStatusException(current, status, errorSnippet(body));
                }
                return copyHashing(body, out, maxBytes, url);
            }
        }
        throw new IOException("GET " + url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private static String copyHashing(InputStream in, OutputStream out, long maxBytes, URI url) throws IOException {
        MessageDigest sha = Digest.sha256();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw new TooLargeException("GET " + url + ": more than " + maxBytes + " bytes");
            }
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
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

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the fetch has been given up on
            }
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }
}
