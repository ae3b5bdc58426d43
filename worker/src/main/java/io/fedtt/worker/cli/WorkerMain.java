package io.fedtt.worker.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The worker image's entry point: {@code worker} only, run from a resolved job description. The image
 * carries no manifest reader, Kubernetes client or CEL; {@code fedtt simulate} and
 * {@code fedtt worker --manifest} live in the fedtt CLI (module cli) instead.
 */
@Command(name = "fedtt", mixinStandardHelpOptions = true, version = "fedtt 0.1.0",
        description = "Federated fine-tuning with tensor-train adapters: the worker of a FederatedFineTune job.")
public final class WorkerMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        exit(commandLine(System.getenv(), System.out, System.err).execute(args));
    }

    /** Exits with the command's code, except during SIGTERM handling (System.exit would wait forever). */
    public static void exit(int code) {
        if (!GracefulStop.shutdownInProgress()) {
            System.exit(code);
        }
    }

    /** The command tree with the environment variables the worker reads (tests pass their own). */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new WorkerMain());
        cl.addSubcommand(new WorkerCommand(env, out, err));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
