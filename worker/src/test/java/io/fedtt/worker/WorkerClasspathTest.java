package io.fedtt.worker;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker pod's classpath is this module's runtime classpath (the image is built from it): it must
 * not carry the Kubernetes client, CEL, the JSON-schema validator or the CRD model. The worker runs
 * from a resolved job description and never validates a manifest; if a dependency drags one of these
 * in again, this fails (surefire's test classpath includes the runtime one).
 */
class WorkerClasspathTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "io.fabric8.kubernetes.client.KubernetesClient",      // kubernetes-client-api
        "io.fabric8.kubernetes.api.model.HasMetadata",        // kubernetes-model-core
        "io.fabric8.generator.annotation.Default",            // generator-annotations (CRD model)
        "dev.cel.runtime.CelRuntime",                         // cel-java
        "com.networknt.schema.Schema",                        // json-schema-validator 3.x
        "com.networknt.schema.JsonSchema",                    // json-schema-validator 1.x
        "io.fedtt.api.v1alpha1.FederatedFineTune",            // fedtt-crds
        "io.fedtt.api.validation.ManifestValidator",          // fedtt-manifest
        "io.fedtt.api.mapping.FederationJobMapper",
    })
    void isNotOnTheWorkerClasspath(String className) {
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName(className, false, WorkerClasspathTest.class.getClassLoader()),
                className + " is on the worker's classpath");
    }
}
