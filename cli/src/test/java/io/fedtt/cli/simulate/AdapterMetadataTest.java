package io.fedtt.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.core.adapter.AdapterConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdapterMetadataTest {

    @Test
    void labelsRoundTripWhateverTheyHold() {
        List<String> labels = List.of("billing,refunds", "quote\"d", "ünïcode", "");
        Map<String, String> m = AdapterMetadata.of("builtin:all-minilm-l6-v2", labels, "FedTT", AdapterConfig.tt());
        assertEquals(labels, AdapterMetadata.labels(m));
    }

    @Test
    void eachAdapterTypeWritesOnlyItsFields() {
        assertEquals("{\"type\":\"tt\",\"ttRank\":5,\"bottleneck\":64,\"init\":\"identity\",\"trainLayerNorm\":true,\"scaling\":1.0,\"head\":\"linear\"}",
                AdapterMetadata.adapterJson(AdapterConfig.tt()).toString());
        assertEquals("{\"type\":\"lora\",\"rank\":8,\"alpha\":16.0,\"targets\":[\"query\",\"value\"],\"scaling\":1.0,\"head\":\"dense\"}",
                AdapterMetadata.adapterJson(AdapterConfig.lora(8, List.of("query", "value"))).toString());
        assertEquals("{\"type\":\"full\",\"head\":\"dense\"}", AdapterMetadata.adapterJson(AdapterConfig.full()).toString());
        assertEquals("{\"type\":\"tt\",\"ttRank\":5,\"bottleneck\":64,\"init\":\"identity\",\"trainLayerNorm\":true,"
                + "\"ttProjections\":[\"q_proj\",\"v_proj\"],\"scaling\":1.0,\"head\":\"linear\"}",
                AdapterMetadata.adapterJson(AdapterConfig.tt().withTtProjections(List.of("q_proj", "v_proj"))).toString());
    }

    @Test
    void theOldCommaFormIsRefusedNotMisread() {
        assertThrows(IllegalArgumentException.class, () -> AdapterMetadata.labels(Map.of(AdapterMetadata.LABELS, "ham,spam")));
    }
}
