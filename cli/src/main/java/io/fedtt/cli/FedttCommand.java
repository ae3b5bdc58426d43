package io.fedtt.cli;

import io.fedtt.cli.predict.PredictCommand;
import io.fedtt.cli.simulate.SimulateCommand;
import io.fedtt.worker.cli.WorkerMain;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fedtt} command: {@code fedtt worker ...} runs one silo of a job against its federation
 * endpoint (from a job description, or from a manifest this command resolves); {@code fedtt simulate
 * FILE.yaml} runs a whole job on this machine; {@code fedtt predict} uses a base model, with the adapter
 * a job produced, on new inputs. The worker image has only the first, from a description
 * ({@link WorkerMain}).
 */
@Command(name = "fedtt", mixinStandardHelpOptions = true, version = "fedtt 0.1.0",
        description = "Federated fine-tuning with tensor-train adapters.")
public final class FedttCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        WorkerMain.exit(commandLine(System.out, System.err).execute(args));
    }

    /** The command tree, writing to the given streams. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(System.getenv(), out, err);
    }

    /** As above, with the environment variables the commands read (tests pass their own). */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new FedttCommand());
        cl.addSubcommand(new ManifestWorkerCommand(env, out, err));
        cl.addSubcommand("simulate", SimulateCommand.withDjl(env, out, err));
        cl.addSubcommand("predict", new PredictCommand(env, err));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
