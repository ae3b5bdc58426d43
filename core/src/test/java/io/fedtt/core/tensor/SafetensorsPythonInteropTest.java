package io.fedtt.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files cross the language boundary both ways, through an independent standard-library Python
 * implementation of the format (test resource {@code safetensors_interop.py}; the {@code safetensors}
 * package itself cannot be installed on these machines). Skipped when no python3 is found.
 */
class SafetensorsPythonInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path script;
    private static String python;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPython(@TempDir Path tmp) throws IOException {
        python = List.of("/usr/bin/python3", "/usr/local/bin/python3").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        script = tmp.resolve("safetensors_interop.py");
        try (InputStream in = SafetensorsPythonInteropTest.class.getResourceAsStream("/safetensors_interop.py")) {
            Files.copy(in, script);
        }
    }

    private static AdapterState sample(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("layer.9.down.core_0", new Tensor(new int[] {1, 8, 5}, gaussian(rnd, 40)));
        tensors.put("layer.10.down.core_0", new Tensor(new int[] {5, 12, 5}, gaussian(rnd, 300)));
        tensors.put("head.bias", new Tensor(new int[] {2}, new float[] {1f, -2.5f}));
        tensors.put("edge", new Tensor(new int[] {6},
                new float[] {65504f, 0x1p-24f, 3 * 0x1p-25f, 1f + 0x1p-11f, -0f, 1e-30f}));
        tensors.put("\u00e9t\u00e9.scale", new Tensor(new int[0], new float[] {0.125f}));
        tensors.put("empty", Tensor.zeros(0, 4));
        return new AdapterState(tensors, Map.of("round", "12", "format", "fedtt", "note", "caf\u00e9 \"q\"\n"));
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.2);
        }
        return v;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static float narrow(float v, DType wire) {
        return switch (wire) {
            case F32 -> v;
            case F16 -> HalfPrecision.fromF16(HalfPrecision.toF16(v));
            case BF16 -> HalfPrecision.fromBf16(HalfPrecision.toBf16(v));
        };
    }

    private String run(String... args) throws IOException, InterruptedException {
        assumeTrue(python != null, "no python3 on this machine");
        List<String> cmd = new java.util.ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), "python failed: " + out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void pythonReadsWhatJavaWrites(DType wire) throws Exception {
        AdapterState s = sample(1);
        Path file = dir.resolve("java.safetensors");
        Files.write(file, SafetensorsCodec.encode(s, wire));
        JsonNode read = JSON.readTree(run("read", file.toString()));
        assertTrue(read.get("header_aligned").asBoolean());
        assertEquals(s.metadata(), JSON.convertValue(read.get("metadata"), Map.class));
        JsonNode tensors = read.get("tensors");
        assertEquals(s.names().size(), tensors.size());
        for (String name : s.names()) {
            JsonNode t = tensors.get(name);
            assertEquals(wire.name(), t.get("dtype").asText(), name);
            assertArrayEquals(s.get(name).shape(), JSON.convertValue(t.get("shape"), int[].class), name);
            float[] expected = s.get(name).data();
            JsonNode values = t.get("values");
            assertEquals(expected.length, values.size());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(narrow(expected[i], wire), (float) values.get(i).asDouble(), name + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void javaReadsWhatPythonWritesAndBothWriteTheSameBytes(DType wire) throws Exception {
        AdapterState s = sample(2);
        ObjectNode spec = JSON.createObjectNode();
        spec.set("metadata", JSON.valueToTree(s.metadata()));
        ObjectNode tensors = spec.putObject("tensors");
        s.tensors().forEach((name, t) -> {
            ObjectNode n = tensors.putObject(name);
            n.put("dtype", wire.name());
            n.set("shape", JSON.valueToTree(t.shape()));
            // As doubles: a float's shortest text form, read as a double, is not always the float's value.
            n.set("values", JSON.valueToTree(toDoubles(t.data())));
        });
        Path specFile = dir.resolve("spec.json");
        JSON.writeValue(specFile.toFile(), spec);
        Path file = dir.resolve("python.safetensors");
        run("write", file.toString(), specFile.toString());
        byte[] pythonBytes = Files.readAllBytes(file);

        AdapterState back = SafetensorsCodec.decode(pythonBytes);
        assertEquals(s.names(), back.names());
        assertEquals(s.metadata(), back.metadata());
        for (String name : s.names()) {
            float[] expected = s.get(name).data().clone();
            for (int i = 0; i < expected.length; i++) {
                expected[i] = narrow(expected[i], wire);
            }
            assertArrayEquals(expected, back.get(name).data(), name);
        }
        assertArrayEquals(pythonBytes, SafetensorsCodec.encode(s, wire), "byte-identical files");
    }
}
