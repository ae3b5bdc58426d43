package io.fedtt.api.v1alpha1.status;

/** CamelCase reasons for conditions and events; one enum so that dashboards and tests can rely on them. */
public enum Reason {
  // Created
  ResourcesCreated,
  // Running
  WaitingForSilos,
  /** A probe pod reads a pvc: model's config.json (Running=False until it has). */
  ProbingModel,
  /** The model's config.json could not be fetched for now (network, server error); retried. */
  ModelUnavailable,
  RoundInProgress,
  // Suspended
  SuspendedByUser,
  Resumed,
  // Succeeded
  AllRoundsCompleted,
  TargetAccuracyReached,
  NoImprovement,
  /** The next round would have taken epsilon above spec.privacy.differentialPrivacy.targetEpsilon. */
  PrivacyBudgetExhausted,
  /** The next round would not have fit in spec.communication.budgetBytes, even with more cores frozen or fewer devices. */
  BudgetExhausted,
  // Failed
  InvalidSpec,
  BackoffLimitExceeded,
  DeadlineExceeded,
  QuorumNotReached,
  OutputWriteFailed,
  InternalError
}
