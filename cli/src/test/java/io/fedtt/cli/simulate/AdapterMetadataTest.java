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
        assertEquals("{\"type\":\"tt\",\"ttRank\":5,\"bottleneck\":64,\"init\":\"identity\",\"trainLayerNorm\":true,\"adapterBias\":\"both\",\"scaling\":1.0,\"head\":\"linear\"}",
                AdapterMetadata.adapterJson(AdapterConfig.tt()).toString());
        assertEquals("{\"type\":\"lora\",\"rank\":8,\"alpha\":16.0,\"targets\":[\"query\",\"value\"],\"scaling\":1.0,\"head\":\"dense\"}",
                AdapterMetadata.adapterJson(AdapterConfig.lora(8, List.of("query", "value"))).toString());
        assertEquals("{\"type\":\"full\",\"head\":\"dense\"}", AdapterMetadata.adapterJson(AdapterConfig.full()).toString());
        assertEquals("{\"type\":\"tt\",\"ttRank\":5,\"bottleneck\":64,\"init\":\"identity\",\"trainLayerNorm\":true,\"adapterBias\":\"both\","
                + "\"ttProjections\":[\"q_proj\",\"v_proj\"],\"scaling\":1.0,\"head\":\"linear\"}",
                AdapterMetadata.adapterJson(AdapterConfig.tt().withTtProjections(List.of("q_proj", "v_proj"))).toString());
    }

    @Test
    void theAdapterConfigReadsBackAsWritten() {
        List<AdapterConfig> configs = List.of(
                AdapterConfig.tt(),
                AdapterConfig.tt(3, 8).withModes(Map.of("down", List.of(8, 8, 8), "up", List.of(8, 8, 8)))
                        .withInit(AdapterConfig.Init.LORETTA).withTrainLayerNorm(false)
                        .withAdapterBias(AdapterConfig.AdapterBias.NONE)
                        .withTtProjections(List.of("q_proj")).withScaling(0.5).withHead(AdapterConfig.Head.TT),
                AdapterConfig.lora(8, List.of("q_proj", "v_proj")).withLoraAlpha(32),
                AdapterConfig.full());
        for (AdapterConfig c : configs) {
            Map<String, String> m = AdapterMetadata.of("builtin:all-minilm-l6-v2", List.of("a"), "m", c, 64,
                    "sequence-classification");
            assertEquals(c, AdapterMetadata.adapterConfig(m), m.get(AdapterMetadata.ADAPTER));
            assertEquals("64", m.get(AdapterMetadata.MAX_SEQUENCE_LENGTH));
            assertEquals("sequence-classification", m.get(AdapterMetadata.TASK));
        }
        assertEquals(AdapterConfig.AdapterBias.BOTH, AdapterMetadata.adapterConfig(Map.of(AdapterMetadata.ADAPTER,
                "{\"type\":\"tt\"}")).adapterBias(), "adapters written before the option had both biases");
        // the short form leaves both keys out, as files written before them
        Map<String, String> old = AdapterMetadata.of("u", List.of("a"), "m", AdapterConfig.tt());
        assertEquals(false, old.containsKey(AdapterMetadata.MAX_SEQUENCE_LENGTH) || old.containsKey(AdapterMetadata.TASK));
    }

    @Test
    void aMalformedAdapterConfigNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterMetadata.adapterConfig(
                Map.of(AdapterMetadata.ADAPTER, "{\"type\":\"tt\",\"ttRank\":\"five\"}")));
        assertEquals(true, e.getMessage().contains("ttRank"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdapterMetadata.adapterConfig(
                Map.of(AdapterMetadata.ADAPTER, "{\"type\":\"prefix\"}")));
        assertThrows(IllegalArgumentException.class, () -> AdapterMetadata.adapterConfig(Map.of()));
    }

    @Test
    void theOldCommaFormIsRefusedNotMisread() {
        assertThrows(IllegalArgumentException.class, () -> AdapterMetadata.labels(Map.of(AdapterMetadata.LABELS, "ham,spam")));
    }
}
