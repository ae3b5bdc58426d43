package io.fedtt.api.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.Task;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import java.io.File;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobDescriptionsTest {

    private static final JobId JOB = new JobId("default", "quickstart");

    // Plain deserialization: the mapping applies the defaults itself (no API server did).
    private static FederatedFineTuneSpec spec(String path) throws IOException {
        return YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                .readValue(new File(path), FederatedFineTune.class).getSpec();
    }

    @Test
    void aSiloSeesOnlyItsOwnDataAndEveryDefaultIsApplied() throws IOException {
        FederatedFineTuneSpec spec = spec("../examples/quickstart.yaml");
        JobDescription d = JobDescriptions.forSilo(JOB, spec, "site-b");
        JobDescription.Silo silo = assertInstanceOf(JobDescription.Silo.class, d.participant());
        assertEquals("file:examples/data/spam/site-b.jsonl.gz", silo.train());
        String json = JobDescriptionJson.write(d);
        assertFalse(json.contains("site-a.jsonl") || json.contains("site-c.jsonl"), json);

        assertEquals(ModelConfig.allMiniLmL6V2(spec.getModel().getLabels().size()), d.model().architecture());
        int maxLen = spec.getModel().getMaxSequenceLength() == null ? JobDefaults.MAX_SEQUENCE_LENGTH
                : spec.getModel().getMaxSequenceLength();
        assertEquals(maxLen, d.model().maxSequenceLength());
        assertEquals(spec.getRounds().getSeed() == null ? JobDefaults.SEED : spec.getRounds().getSeed(), d.seed());
        if (spec.getData() == null) {
            assertEquals(new JobDescription.Data(JobDefaults.TEXT_FIELD, JobDefaults.LABEL_FIELD, DataFormat.AUTO),
                    d.data());
        }
        assertEquals(FederationJobMapper.adapterConfig(spec.getAdapter()), d.adapter());
        assertEquals(FederationJobMapper.layout(spec, d.model().architecture()).tensors(), d.layout().tensors(),
                "the worker's layout is the coordinator's");
        assertEquals(d, JobDescriptionJson.read(json));
    }

    @Test
    void devicesCarryThePartitionAndShards() throws IOException {
        FederatedFineTuneSpec spec = spec("../examples/cross-device.yaml");
        JobDescription d = JobDescriptions.forDevices(JOB, spec);
        JobDescription.Devices devices = assertInstanceOf(JobDescription.Devices.class, d.participant());
        assertEquals((int) spec.getDevices().getCount(), devices.count());
        assertEquals(spec.getDevices().getWorkers() == null ? JobDefaults.DEVICE_WORKERS : spec.getDevices().getWorkers(),
                devices.workers());
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
    }

    @Test
    void unknownSilosAndUnknownModelsAreNamed() throws IOException {
        FederatedFineTuneSpec spec = spec("../examples/quickstart.yaml");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobDescriptions.forSilo(JOB, spec, "site-z"))
                .getMessage().contains("silo 'site-z' is not in the job"));
        spec.getModel().setUri("builtin:nope");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobDescriptions.forSilo(JOB, spec, "site-a"))
                .getMessage().contains("the shape of builtin:nope is not known yet"));
    }

    private static final String VALID = "src/test/resources/manifests/valid/";

    @Test
    void aCausalLmJobHasNoLabelsNoHeadAndItsPromptAndResponseFields() throws IOException {
        FederatedFineTuneSpec spec = spec(VALID + "causal-lm-instruction-tuning.yaml");
        assertTrue(FederationJobMapper.causalLm(spec));
        assertEquals(Task.CAUSAL_LM, FederationJobMapper.task(spec));
        assertEquals(List.of(), FederationJobMapper.labels(spec), "labels absent");
        assertEquals(0, FederationJobMapper.numLabels(spec));
        JobDescription d = JobDescriptions.forSilo(JOB, spec, "site-b");
        assertEquals(JobDescription.TASK_CAUSAL_LM, d.model().task());
        assertTrue(d.model().causalLm());
        assertEquals(List.of(), d.model().labels());
        assertEquals(ModelConfig.Family.LLAMA, d.model().architecture().family());
        assertEquals(0, d.model().architecture().numLabels());
        assertFalse(d.layout().tensors().stream().anyMatch(t -> t.role() == io.fedtt.core.adapter.Role.HEAD),
                "no classification head");
        assertEquals(FederationJobMapper.layout(spec, d.model().architecture()).tensors(), d.layout().tensors(),
                "the worker's layout is the coordinator's");
        assertEquals(new JobDescription.Data(JobDefaults.TEXT_FIELD, JobDefaults.LABEL_FIELD, JobDefaults.PROMPT_FIELD,
                JobDefaults.RESPONSE_FIELD, DataFormat.AUTO), d.data());
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
        assertEquals(FederationJobMapper.layout(spec, d.model().architecture()).parameterCount(),
                FederationJobMapper.jobSpec(JOB, spec, d.model().architecture()).initialGlobal().parameterCount());
    }

    @Test
    void aCausalLmCrossDeviceJobCarriesItsFieldsAndPartition() throws IOException {
        FederatedFineTuneSpec spec = spec(VALID + "causal-lm-cross-device-by-user.yaml");
        JobDescription d = JobDescriptions.forDevices(JOB, spec);
        assertEquals("instruction", d.data().promptField());
        assertEquals("output", d.data().responseField());
        JobDescription.Devices devices = assertInstanceOf(JobDescription.Devices.class, d.participant());
        assertEquals(new JobDescription.Partition(JobDescription.Partition.Rule.FIELD, JobDefaults.DIRICHLET_ALPHA,
                "user"), devices.partition());
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));

        // Unvalidated (built in code, no defaults): an absent partition is dirichlet, which needs labels.
        spec.getDevices().setPartition(null);
        assertEquals("devices.partition.by: DIRICHLET splits by label and a causal-lm job has no labels; use IID or"
                + " FIELD", assertThrows(IllegalArgumentException.class, () -> JobDescriptions.forDevices(JOB, spec))
                .getMessage());
    }

    @Test
    void theTasksRulesHoldForSpecsThatNeverMetTheSchema() throws IOException {
        FederatedFineTuneSpec spec = spec(VALID + "causal-lm-instruction-tuning.yaml");
        spec.getModel().setLabels(List.of("a", "b"));
        assertEquals("model.labels: a causal-lm job has no labels, got [a, b]",
                assertThrows(IllegalArgumentException.class, () -> JobDescriptions.forSilo(JOB, spec, "site-a"))
                        .getMessage());
        spec.getModel().setLabels(null);
        spec.getModel().setArchitecture(null);
        spec.getModel().setUri(FederationJobMapper.BUILTIN_MINILM);
        assertEquals("model.task: causal-lm needs a LLAMA-family model, got family BERT",
                assertThrows(IllegalArgumentException.class, () -> JobDescriptions.forSilo(JOB, spec, "site-a"))
                        .getMessage());
        FederatedFineTuneSpec classification = spec("../examples/quickstart.yaml");
        classification.getModel().setLabels(null);
        assertEquals(0, FederationJobMapper.numLabels(classification));
        assertEquals("model.labels: at least two class names are required",
                assertThrows(IllegalArgumentException.class, () -> JobDescriptions.forSilo(JOB, classification, "site-a"))
                        .getMessage());
    }
}
