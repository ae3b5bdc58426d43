package io.fedtt.core.adapter;

import io.fedtt.core.tensor.DType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Parameters one update carries, split by role.
 *
 * @param label what was counted, e.g. "tt r=5 b=64", "lora r=8 [query, value] + head", "full"
 */
public record ParameterCount(String label, long parameters, Map<Role, Long> byRole) {

    public ParameterCount {
        Map<Role, Long> m = new EnumMap<>(Role.class);
        m.putAll(byRole);
        byRole = Collections.unmodifiableMap(m);
    }

    /** Raw tensor bytes of one update (safetensors header not included). */
    public long bytes(DType dtype) {
        return Math.multiplyExact(parameters, (long) dtype.bytes());
    }

    public long count(Role role) {
        return byRole.getOrDefault(role, 0L);
    }
}
