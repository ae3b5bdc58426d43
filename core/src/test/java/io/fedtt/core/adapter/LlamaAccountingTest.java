package io.fedtt.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.freeze.FreezingConfig;
import io.fedtt.core.freeze.FreezingPolicies;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.MaskSummary;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Parameter accounting for LLaMA-2-7B and LLaMA-3-8B (no classification head, as FEDTT.md counts them):
 * FedTT, FedTT+ under its default freezing, federated LoRA r=8 on q,v. The expected numbers are worked out
 * by hand in the comments; {@link #printTable()} prints BENCHMARKS.md's "LLaMA-family" table from the same
 * code the operator and {@code fedtt simulate} count with. Reproduce:
 * {@code mvn -B -q -o -pl core test -Dtest=LlamaAccountingTest -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Shapes that matter for the adapters: both models have hidden 4096 and 32 layers; the TT adapters sit
 * on the hidden states (3 per layer, FEDTT.md), so the intermediate size (11008 vs 14336), the vocabulary
 * and grouped-query attention (8B: 8 key/value heads) do not change their count. LoRA on v_proj does see
 * GQA: v_proj of the 8B model is 4096 -> 1024.
 */
class LlamaAccountingTest {

    /** LoRETTA's modes for 4096x64; spec.adapter.modes gives one list for down and up, as here. */
    private static final List<Integer> LORETTA_MODES = List.of(16, 16, 16, 4, 4, 4);
    private static final AdapterConfig FEDTT_LORETTA =
            AdapterConfig.tt(5, 64).withModes(Map.of("down", LORETTA_MODES, "up", LORETTA_MODES));
    private static final AdapterConfig FEDTT_BALANCED = AdapterConfig.tt(5, 64);
    private static final List<String> QV = List.of("q_proj", "v_proj");

    // TT layer [4096, 64] or [64, 4096], modes [16,16,16,4,4,4] (LoRETTA; also the balanced choice for
    // down) or [4,4,4,16,16,16] (balanced choice for up), rank 5: cores 1x16x5 = 80, 5x16x5 = 400, 400,
    // 5x4x5 = 100, 100, 5x4x1 = 20 (balanced up: 20, 100, 100, 400, 400, 80): 1,100 either way.
    private static final long CORES_PER_TT_LAYER = 1_100;
    private static final long TT_LAYERS = 32 * 3 * 2; // 32 layers x 3 adapters x (down, up) = 192
    private static final long TT_CORES = TT_LAYERS * CORES_PER_TT_LAYER; // 211,200
    private static final long ADAPTER_BIASES = 32 * 3 * (64 + 4096); // 399,360
    private static final long NORMS = 32 * 2 * 4096 + 4096; // input + post-attention RMSNorm per layer, final: 266,240
    private static final long FEDTT = TT_CORES + ADAPTER_BIASES + NORMS; // 876,800 = FEDTT.md's 7B count

    @Test
    void fedTtIsFedttMdsCountOnBothModelsWithEitherModeChoice() {
        assertEquals(876_800L, FEDTT);
        for (ModelConfig m : List.of(ModelConfig.llama2_7b(), ModelConfig.llama3_8b())) {
            for (AdapterConfig a : List.of(FEDTT_LORETTA, FEDTT_BALANCED)) {
                ParameterCount c = ParameterAccounting.tt(m, a);
                assertEquals(FEDTT, c.parameters(), m + " " + a.modes());
                assertEquals(TT_CORES, c.count(Role.TT_CORE));
                assertEquals(ADAPTER_BIASES, c.count(Role.ADAPTER_BIAS));
                assertEquals(NORMS, c.count(Role.NORM));
                // fp32, one upload and one download per client and round: 876,800 x 4 x 2
                assertEquals(7_014_400L, ParameterAccounting.bytesPerRound(c.parameters(), DType.F32, 1, 1));
            }
            // norms frozen: 876,800 - 266,240
            assertEquals(610_560L, ParameterAccounting.tt(m, FEDTT_LORETTA.withTrainLayerNorm(false)).parameters());
        }
    }

    @Test
    void fedTtPlusUnderTheDefaultAdaptivePolicy() {
        // Default FedTT+ (spec.method.freezing absent): policy adaptive, budget c = 1 core per TT layer, warm-up
        // W = 2 rounds, re-evaluated every E = 3 rounds. Rounds 1-2 train and send everything (876,800). From
        // round 3 each of the 192 TT layers trains (and sends, up and down) one core, chosen by update energy
        // per parameter; every non-core tensor (adapter biases and norms: 665,600) always trains. So a round
        // sends between 665,600 + 192 x 20 (the 20-parameter end core everywhere) = 669,440 and
        // 665,600 + 192 x 400 (a 400-parameter core everywhere) = 742,400.
        long nonCore = ADAPTER_BIASES + NORMS;
        assertEquals(665_600L, nonCore);
        for (ModelConfig m : List.of(ModelConfig.llama2_7b(), ModelConfig.llama3_8b())) {
            for (AdapterConfig a : List.of(FEDTT_LORETTA, FEDTT_BALANCED)) {
                AdapterLayout l = AdapterLayout.of(m, a);
                assertEquals(669_440L, ParameterAccounting.frozenCoresBound(l, 1, false).parameters());
                assertEquals(742_400L, ParameterAccounting.frozenCoresBound(l, 1, true).parameters());
                // the bounds are what the adaptive policy itself selects when energy favours the smallest /
                // the largest cores
                assertEquals(669_440L, adaptiveRound3(l, size -> 1.0 / size));
                assertEquals(742_400L, adaptiveRound3(l, size -> size));
                // 669,440 x 4 x 2 and 742,400 x 4 x 2 bytes per client and round
                assertEquals(5_355_520L, ParameterAccounting.bytesPerRound(669_440L, DType.F32, 1, 1));
                assertEquals(5_939_200L, ParameterAccounting.bytesPerRound(742_400L, DType.F32, 1, 1));
            }
        }
    }

    @Test
    void fedTtPlusUnderTheFixedPolicyDefault() {
        // fixed, cores not given: per TT layer its zero-initialized core if it has one (up projections under
        // identity init: the last core), else its largest (down: a 400-parameter core). LoRETTA modes: up's last
        // core is 5x4x1 = 20 -> 665,600 + 96 x 400 + 96 x 20 = 705,920. Balanced up [4,4,4,16,16,16]: last core
        // 5x16x1 = 80 -> 665,600 + 96 x 400 + 96 x 80 = 711,680.
        assertEquals(705_920L, fixedRound1(AdapterLayout.of(ModelConfig.llama2_7b(), FEDTT_LORETTA)));
        assertEquals(711_680L, fixedRound1(AdapterLayout.of(ModelConfig.llama2_7b(), FEDTT_BALANCED)));
        assertEquals(705_920L, fixedRound1(AdapterLayout.of(ModelConfig.llama3_8b(), FEDTT_LORETTA)));
    }

    @Test
    void federatedLoraOnQueryAndValue() {
        // 7B: 32 x 2 x (8 x 4096 + 4096 x 8) = 4,194,304 (FEDTT.md)
        ParameterCount l7 = ParameterAccounting.lora(ModelConfig.llama2_7b(), 8, QV, false);
        assertEquals(4_194_304L, l7.parameters());
        // 8B: q 8 x (4096 + 4096), v 8 x (4096 + 1024) under GQA: 32 x (65,536 + 40,960) = 3,407,872
        ParameterCount l8 = ParameterAccounting.lora(ModelConfig.llama3_8b(), 8, QV, false);
        assertEquals(3_407_872L, l8.parameters());
        assertEquals(33_554_432L, ParameterAccounting.bytesPerRound(l7.parameters(), DType.F32, 1, 1));
        assertEquals(27_262_976L, ParameterAccounting.bytesPerRound(l8.parameters(), DType.F32, 1, 1));
        // the operator's LoRA baseline (status.communication.loraEquivalentBytes) is the same count here
        assertEquals(3_407_872L, CommunicationBaseline.of(ModelConfig.llama3_8b()).loraParameters());
    }

    @Test
    void ttDeltasOnQueryAndValue() {
        // the new option: a bias-less TT delta on q_proj and v_proj of every layer. q 4096x4096 ->
        // [8,8,8,8,8,8,8,8]: 40 + 6 x 200 + 40 = 1,280; v 4096x4096 (7B) the same, v 4096x1024 (8B) ->
        // [8,8,8,8,16,8,8]: 40 + 600 + 400 + 200 + 40 = 1,280. 32 x 2 x 1,280 = 81,920 more than FedTT.
        AdapterConfig deltas = FEDTT_LORETTA.withTtProjections(QV);
        assertEquals(958_720L, ParameterAccounting.tt(ModelConfig.llama2_7b(), deltas).parameters());
        assertEquals(958_720L, ParameterAccounting.tt(ModelConfig.llama3_8b(), deltas).parameters());
    }

    @Test
    void printTable() {
        System.out.println(table());
    }

    /** BENCHMARKS.md's LLaMA-family table. */
    static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | method | trainable parameters | communicated per client per round |"
                + " bytes per client per round (fp32, up + down) |\n|---|---|---|---|---|\n");
        for (ModelConfig m : List.of(ModelConfig.llama2_7b(), ModelConfig.llama3_8b())) {
            String name = m.intermediateSize() == 11008 ? "LLaMA-2-7B" : "LLaMA-3-8B";
            AdapterLayout tt = AdapterLayout.of(m, FEDTT_LORETTA);
            AdapterLayout balanced = AdapterLayout.of(m, FEDTT_BALANCED);
            long fedtt = ParameterAccounting.of(tt).parameters();
            row(sb, name, "FedTT (r=5, b=64, modes [16,16,16,4,4,4])", fedtt, fedtt);
            long bal = ParameterAccounting.of(balanced).parameters();
            row(sb, name, "FedTT, default balanced modes (up: [4,4,4,16,16,16])", bal, bal);
            long frozenNorms = ParameterAccounting.of(AdapterLayout.of(m, FEDTT_LORETTA.withTrainLayerNorm(false)))
                    .parameters();
            row(sb, name, "FedTT, RMSNorms frozen (trainLayerNorm: false)", frozenNorms, frozenNorms);
            row(sb, name, "FedTT+ (adaptive, c=1), warm-up rounds 1-2", fedtt, fedtt);
            long lo = ParameterAccounting.frozenCoresBound(tt, 1, false).parameters();
            long hi = ParameterAccounting.frozenCoresBound(tt, 1, true).parameters();
            rangeRow(sb, name, "FedTT+ (adaptive, c=1), rounds 3+: 1 core per TT layer", lo, hi);
            long fixed = fixedRound1(tt);
            row(sb, name, "FedTT+ (fixed, default cores)", fixed, fixed);
            long deltas = ParameterAccounting.tt(m, FEDTT_LORETTA.withTtProjections(QV)).parameters();
            row(sb, name, "FedTT + TT deltas on q_proj, v_proj (ttProjections)", deltas, deltas);
            long lora = ParameterAccounting.lora(m, 8, QV, false).parameters();
            row(sb, name, "federated LoRA r=8 on q_proj, v_proj", lora, lora);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String model, String method, long trainable, long sent) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,d |%n", model, method, trainable, sent,
                ParameterAccounting.bytesPerRound(sent, DType.F32, 1, 1)));
    }

    private static void rangeRow(StringBuilder sb, String model, String method, long lo, long hi) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %,d - %,d | %,d - %,d | %,d - %,d |%n", model, method, lo, hi,
                lo, hi, ParameterAccounting.bytesPerRound(lo, DType.F32, 1, 1),
                ParameterAccounting.bytesPerRound(hi, DType.F32, 1, 1)));
    }

    /** What the default fixed policy trains (and sends) in a round. */
    private static long fixedRound1(AdapterLayout l) {
        FreezingPolicy p = FreezingPolicies.create(FreezingPolicies.FIXED, FreezingConfig.defaults(), l, 0);
        return MaskSummary.of(l, p.maskFor(1, List.of())).trainableParameters();
    }

    /**
     * The default adaptive policy's round-3 mask after two warm-up rounds in which every core moved with
     * the given energy per parameter (a function of the core's size).
     */
    private static long adaptiveRound3(AdapterLayout l, ToDoubleFunction<Long> energy) {
        FreezingPolicy p = FreezingPolicies.create(FreezingPolicies.ADAPTIVE, FreezingConfig.defaults(), l, 0);
        List<Map<String, Double>> history = new ArrayList<>();
        for (int r = 1; r <= 2; r++) {
            TrainableMask m = p.maskFor(r, history);
            assertEquals(l.tensors().size(), m.size(), "warm-up round " + r + " trains everything");
            Map<String, Double> e = new HashMap<>();
            for (TtLayerSpec t : l.ttLayers()) {
                for (int k = 0; k < t.cores(); k++) {
                    e.put(t.coreName(k), energy.applyAsDouble(t.shape().coreParameterCount(k)));
                }
            }
            history.add(e);
        }
        return MaskSummary.of(l, p.maskFor(3, history)).trainableParameters();
    }
}
