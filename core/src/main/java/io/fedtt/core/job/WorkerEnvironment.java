package io.fedtt.core.job;

/**
 * The names a worker pod is started with: environment variables the operator's pod builder sets and
 * {@code fedtt worker} reads, and the worker's command-line flags. Both sides use these constants, so a
 * rename cannot leave one of them behind.
 */
public final class WorkerEnvironment {

    private WorkerEnvironment() {
    }

    /** The subcommand a worker image runs. */
    public static final String COMMAND = "worker";

    /** The resolved {@link JobDescription} as JSON ({@link JobDescriptionJson}). */
    public static final String ENV_JOB_DESCRIPTION = "FEDTT_JOB_DESCRIPTION";
    public static final String ENV_ENDPOINT = "FEDTT_ENDPOINT";
    public static final String ENV_JOB = "FEDTT_JOB";
    public static final String ENV_SILO = "FEDTT_SILO";
    public static final String ENV_TOKEN_FILE = "FEDTT_TOKEN_FILE";
    public static final String ENV_SHARD = "FEDTT_SHARD";
    public static final String ENV_SHARDS = "FEDTT_SHARDS";
    public static final String ENV_PVC_ROOT = "FEDTT_PVC_ROOT";
    public static final String ENV_CACHE_DIR = "FEDTT_CACHE_DIR";
    public static final String ENV_CA_FILE = "FEDTT_CA_FILE";
    public static final String ENV_TORCH_THREADS = "FEDTT_TORCH_THREADS";

    public static final String ARG_JOB_DESCRIPTION = "--job-description";
    public static final String ARG_ENDPOINT = "--endpoint";
    public static final String ARG_JOB = "--job";
    public static final String ARG_SILO = "--silo";
    public static final String ARG_TOKEN_FILE = "--token-file";
    public static final String ARG_SHARD = "--shard";
    public static final String ARG_SHARDS = "--shards";
}
