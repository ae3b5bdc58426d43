package io.fedtt.core.freeze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.Role;
import io.fedtt.core.adapter.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FFA-LoRA's mask: no A ever, every B and the rest, the same every round. */
class LoraFrozenATest {

    @Test
    void everyRoundTrainsEverythingButA() {
        AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.lora(8, List.of("query", "value")));
        FreezingPolicy p = FreezingPolicies.loraFreezeA(layout);
        TrainableMask m = p.maskFor(1, List.of());
        assertEquals(m, p.maskFor(7, List.of()));
        for (TensorSpec t : layout.tensors()) {
            assertEquals(t.role() != Role.LORA_A, m.isTrainable(t.name()), t.name());
        }
        assertTrue(m.trainable().stream().anyMatch(n -> layout.tensors().stream()
                .anyMatch(t -> t.name().equals(n) && t.role() == Role.LORA_B)));
        assertFalse(m.trainable().isEmpty());
    }

    @Test
    void aLayoutWithoutLoraIsRefusedNamingTheField() {
        AdapterLayout tt = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt(5, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FreezingPolicies.loraFreezeA(tt));
        assertTrue(e.getMessage().contains("adapter.loraFreezeA"), e.getMessage());
    }
}
