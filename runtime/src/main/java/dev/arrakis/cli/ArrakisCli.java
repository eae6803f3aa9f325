package dev.arrakis.cli;

import dev.arrakis.ArrakisException;
import dev.arrakis.engine.ExperimentDefinitionException;
import dev.arrakis.util.DidYouMean;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code arrakis} command line. Bad input of any kind ends in one line on stderr and exit code 2: the problems
 * found in a run's definition are joined on that line, while an explanation written as several lines (where a
 * model was looked for and how to get it) keeps its lines.
 */
@Command(
        name = "arrakis",
        mixinStandardHelpOptions = true,
        version = "arrakis 0.1.0",
        description = "Run and inspect hooked transformer models, and run experiments written with the Arrakis"
                + " annotations.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {HooksCommand.class, DumpCommand.class, DemoCommand.class, ListCommand.class, RunCommand.class,
                RunsCommand.class, ShowCommand.class, DiffCommand.class, ExportCommand.class, TrainCommand.class,
                GenerateCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  arrakis hooks --model gpt2                the hook points of GPT-2 and shapes",
            "  arrakis list                              the experiments and their runs",
            "  arrakis run HeadAblation.eachHead head=1  one run, a value overridden",
            "  arrakis list --class-path target/classes  your own project's experiments",
            "  arrakis help run                          the options of one command",
            "",
            "Exit codes:",
            "  0    done",
            "  1    internal error (a bug in Arrakis: please report the message)",
            "  2    bad input: a wrong option, file, name or override, named in the message",
            "  130  interrupted (Ctrl-C); a run records the points that finished",
            "",
            "Commands are described in docs/cli.md."})
public final class ArrakisCli implements Runnable {
    /** Exit code for input the user can fix: a wrong option, a bad file, an unknown name. */
    public static final int BAD_INPUT = 2;
    /** Exit code for a failure inside Arrakis itself. */
    public static final int INTERNAL_ERROR = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests too). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = commandLine();
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            err.println(exception.getCommandLine().getCommandName() + ": " + oneLine(exception.getMessage())
                    + suggestion(exception));
            return BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (exception instanceof ExperimentDefinitionException definition) {
                err.println(cmd.getCommandName() + ": " + String.join("; ", definition.problems()));
                return BAD_INPUT;
            }
            if (exception instanceof ArrakisException) {
                err.println(cmd.getCommandName() + ": " + asLines(exception.getMessage()));
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

    /** The command line's model, every command and option as {@link #execute} parses them (used by tests too). */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new ArrakisCli());
        addHelpOptions(commandLine);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /**
     * Gives every command -h/--help. Added here rather than by mixinStandardHelpOptions on each command because
     * `runs` and `export` have a --version of their own (a run's version), and only the top command has a version
     * to print; picocli's `help` command has its own -h.
     */
    private static void addHelpOptions(CommandLine command) {
        for (CommandLine subcommand : command.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = subcommand.getCommandSpec();
            if (spec.findOption("--help") == null) {
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
        }
    }

    /**
     * Picocli's nearest option or command names for a misspelt one, in DidYouMean's words, and where
     * the command's options are listed.
     */
    private static String suggestion(CommandLine.ParameterException exception) {
        CommandLine command = exception.getCommandLine();
        String help = " (see " + command.getCommandSpec().qualifiedName() + " --help)";
        List<String> suggestions = exception instanceof CommandLine.UnmatchedArgumentException unmatched
                ? unmatched.getSuggestions() : List.of();
        return DidYouMean.phrase(suggestions) + help;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * A message as the lines it was written in, so an explanation that lists places or steps stays readable;
     * the first line follows the command's name, so a one-line message stays one line.
     */
    private static String asLines(String message) {
        return message == null ? "" : message.strip().replaceAll("[ \\t]*\\R", System.lineSeparator());
    }
}
