package io.fedtt.api.v1alpha1.status;

/** Condition types of a FederatedFineTune, as in batch/v1 Job and Kubeflow TrainJob. */
public enum ConditionType {
  /** The job's secret, service and pods have been created. */
  Created,
  /** Rounds are in progress. */
  Running,
  /** spec.suspend is true: pods are gone, round state is kept. */
  Suspended,
  /** The job finished and its adapter was written. */
  Succeeded,
  /** The job failed; the reason says why. */
  Failed
}
