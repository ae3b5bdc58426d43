package io.fedtt.worker.model.source;

import io.fedtt.worker.model.HfModelDirectory;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A remote model URI split into its location and the expected SHA-256 of its files, given in the
 * fragment: {@code hf:org/name@rev#model.safetensors=sha256:<hex>&config.json=sha256:<hex>}.
 * Files without a checksum are downloaded unchecked.
 */
record ModelUri(String location, Map<String, String> sha256) {

    ModelUri {
        sha256 = Collections.unmodifiableMap(new TreeMap<>(sha256));
    }

    static ModelUri parse(String uri) {
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
            if (!HfModelDirectory.FILES.contains(file)) {
                throw new IllegalArgumentException("'" + uri + "': checksum for unknown file '" + file
                        + "' (expected one of " + HfModelDirectory.FILES + ")");
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
}
