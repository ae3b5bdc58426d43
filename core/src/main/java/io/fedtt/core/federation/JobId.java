package io.fedtt.core.federation;

import java.util.regex.Pattern;

/**
 * A federated job's identity: the namespace and name of its resource. Both parts are DNS labels
 * (lower-case letters, digits, '-', '.'), which also makes them safe as URL and file path segments.
 */
public record JobId(String namespace, String name) {

    private static final Pattern DNS = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    public JobId {
        check("namespace", namespace);
        check("name", name);
    }

    /** Parses {@code namespace/name}. */
    public static JobId parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("job id must be 'namespace/name', got '" + text + "'");
        }
        return new JobId(text.substring(0, slash), text.substring(slash + 1));
    }

    private static void check(String what, String value) {
        if (value == null || !DNS.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "job " + what + " '" + value + "' is not a DNS name (lower-case letters, digits, '-', '.')");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
