package io.fedtt.core.model;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A remote model URI split into its location and the expected SHA-256 of its files, given in the
 * fragment: {@code hf:org/name@rev#model.safetensors=sha256:<hex>&config.json=sha256:<hex>}. A pin may
 * name config.json, tokenizer.json, model.safetensors, model.safetensors.index.json or a shard (a plain
 * file name ending in .safetensors, as the index lists them). Files without a checksum are downloaded
 * unchecked.
 */
public record ModelUri(String location, Map<String, String> sha256) {

    public static final String HF_SCHEME = "hf:";
    public static final String CONFIG = HfConfig.FILE;
    public static final String WEIGHTS = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    public static final String TOKENIZER = "tokenizer.json";
    /** The files of a model directory that are not shards. */
    public static final List<String> FILES = List.of(CONFIG, WEIGHTS, INDEX, TOKENIZER);

    public ModelUri {
        sha256 = Collections.unmodifiableMap(new TreeMap<>(sha256));
    }

    public static ModelUri parse(String uri) {
        int hash = uri.indexOf('#');
        if (hash < 0) {
            return new ModelUri(uri, Map.of());
        }
        Map<String, String> sums = new TreeMap<>();
        for (String part : uri.substring(hash + 1).split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String file = eq < 0 ? "" : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            if (!FILES.contains(file) && !shardName(file)) {
                throw new IllegalArgumentException("'" + uri + "': checksum for unknown file '" + file
                        + "' (expected one of " + FILES + " or a shard's file name ending in .safetensors)");
            }
            if (!value.startsWith("sha256:") || !value.substring(7).matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("'" + uri + "': checksum of " + file
                        + " must be sha256:<64 hex digits>, got '" + value + "'");
            }
            if (sums.put(file, value.substring(7).toLowerCase(Locale.ROOT)) != null) {
                throw new IllegalArgumentException("'" + uri + "': two checksums for " + file);
            }
        }
        return new ModelUri(uri.substring(0, hash), sums);
    }

    /**
     * Whether {@code name} may be a shard of a sharded checkpoint: a plain file name (no folder, not
     * hidden) ending in .safetensors, as {@code model.safetensors.index.json} lists them.
     */
    public static boolean shardName(String name) {
        return name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*\\.safetensors") && !name.contains("..");
    }

    /**
     * The URI a job's model is fetched from: {@code uri} with {@code spec.model.revision} applied to an
     * {@code hf:} location that names none ({@code hf:org/name} + {@code v2} = {@code hf:org/name@v2}).
     * Other schemes have no revisions and come back unchanged.
     *
     * @throws IllegalArgumentException when the URI names another revision than {@code revision}
     */
    public static String withRevision(String uri, String revision) {
        if (uri == null || revision == null || revision.isBlank()
                || !uri.regionMatches(true, 0, HF_SCHEME, 0, HF_SCHEME.length())) {
            return uri;
        }
        int hash = uri.indexOf('#');
        String location = hash < 0 ? uri : uri.substring(0, hash);
        String fragment = hash < 0 ? "" : uri.substring(hash);
        int at = location.indexOf('@');
        if (at >= 0) {
            if (!location.substring(at + 1).equals(revision)) {
                throw new IllegalArgumentException("'" + uri + "' names revision '" + location.substring(at + 1)
                        + "' and spec.model.revision says '" + revision + "'");
            }
            return uri;
        }
        return location + "@" + revision + fragment;
    }
}
