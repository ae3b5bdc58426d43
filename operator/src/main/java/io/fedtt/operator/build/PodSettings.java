package io.fedtt.operator.build;

import java.util.Objects;

/**
 * Operator-wide inputs of the pod builder.
 *
 * @param defaultImage the worker image when the job's workerTemplate names none
 * @param endpoint the federation endpoint URL as workers reach it (e.g. the operator's Service)
 * @param runAsUser the non-root user id used when the template sets no security context
 */
public record PodSettings(String defaultImage, String endpoint, long runAsUser) {

  public static final String TOKEN_DIR = "/var/run/fedtt";
  public static final String TOKEN_FILE = TOKEN_DIR + "/token";
  public static final String TOKEN_VOLUME = "fedtt-token";
  public static final String SCRATCH_VOLUME = "fedtt-scratch";
  public static final String CONTAINER = "worker";
  public static final long DEFAULT_UID = 65532;

  public PodSettings {
    Objects.requireNonNull(defaultImage, "defaultImage");
    Objects.requireNonNull(endpoint, "endpoint");
  }

  public static PodSettings of(String defaultImage, String endpoint) {
    return new PodSettings(defaultImage, endpoint, DEFAULT_UID);
  }
}
