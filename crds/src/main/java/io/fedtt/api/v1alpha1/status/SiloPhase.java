package io.fedtt.api.v1alpha1.status;

/** Phase of one silo's worker. */
public enum SiloPhase {
  Pending, Running, Succeeded, Failed
}
