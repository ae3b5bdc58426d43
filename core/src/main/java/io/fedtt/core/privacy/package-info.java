/**
 * Differential privacy for federated jobs, with no DJL or Kubernetes: the job's settings
 * ({@link io.fedtt.core.privacy.DifferentialPrivacy}), clipping and Gaussian noise, and a Rényi-DP
 * accountant for the sampled Gaussian mechanism ({@link io.fedtt.core.privacy.RdpAccountant}, checked
 * against Google's dp-accounting in the tests) that turns the rounds a job ran into epsilon at its
 * delta ({@link io.fedtt.core.privacy.PrivacySpent}). Where the mechanisms run: central DP is a
 * strategy of the coordinator ({@code federation.strategy.CentralDpStrategy}), local DP wraps a
 * client's trainer ({@code federation.client.LocalDpTrainer}).
 */
package io.fedtt.core.privacy;
