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
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import java.io.File;
import java.io.IOException;
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
                .getMessage().contains("spec.model.architecture is required"));
    }
}
