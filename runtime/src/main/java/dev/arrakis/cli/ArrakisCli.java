package dev.arrakis.cli;

import dev.arrakis.ArrakisException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code arrakis} command line. Bad input of any kind ends in one line on stderr and a non-zero exit. */
@Command(
        name = "arrakis",
        mixinStandardHelpOptions = true,
        version = "arrakis 0.1.0",
        description = "Run and inspect hooked transformer models.",
        subcommands = {HooksCommand.class, DumpCommand.class, DemoCommand.class, ListCommand.class, RunCommand.class,
                RunsCommand.class, ShowCommand.class, DiffCommand.class, ExportCommand.class})
public final class ArrakisCli implements Runnable {
    /** Exit code for input the user can fix: a wrong option, a bad file, an unknown name. */
    public static final int BAD_INPUT = 2;
    /** Exit code for a failure inside Arrakis itself. */
    public static final int INTERNAL_ERROR = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: hooks, dump, demo, list, run, runs, show, diff or export");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests too). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new ArrakisCli());
        commandLine.setOut(out);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            err.println(exception.getCommandLine().getCommandName() + ": " + exception.getMessage());
            return BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (exception instanceof ArrakisException) {
                err.println(cmd.getCommandName() + ": " + oneLine(exception.getMessage()));
                return BAD_INPUT;
            }
            err.println(cmd.getCommandName() + ": internal error: " + oneLine(String.valueOf(exception)));
            return INTERNAL_ERROR;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ");
    }
}
