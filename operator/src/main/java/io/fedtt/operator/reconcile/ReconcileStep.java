package io.fedtt.operator.reconcile;

/**
 * One unit of a reconcile with one job (observe the pods, validate the spec, host the coordinator,
 * ...). It reads and updates the {@link ReconcileContext}, may act on the cluster, and says through
 * its {@link StepResult} whether the reconcile goes on. Typed problems are results; unexpected
 * exceptions propagate so JOSDK retries with backoff.
 */
interface ReconcileStep {

  StepResult run(ReconcileContext rc);
}
