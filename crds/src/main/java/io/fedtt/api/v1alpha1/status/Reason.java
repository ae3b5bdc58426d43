package io.fedtt.api.v1alpha1.status;

/** CamelCase reasons for conditions and events; one enum so that dashboards and tests can rely on them. */
public enum Reason {
  // Created
  ResourcesCreated,
  // Running
  WaitingForSilos,
  RoundInProgress,
  // Suspended
  SuspendedByUser,
  Resumed,
  // Succeeded
  AllRoundsCompleted,
  TargetAccuracyReached,
  NoImprovement,
  // Failed
  InvalidSpec,
  BackoffLimitExceeded,
  DeadlineExceeded,
  QuorumNotReached,
  OutputWriteFailed,
  InternalError
}
