package dev.arrakis.cli;

import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Tokenizer;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.tools.generation.Generation;
import dev.arrakis.tools.generation.GenerationSettings;
import dev.arrakis.tools.generation.Generator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code arrakis generate}: continue a prompt, greedily or by sampling, with a key/value cache. */
@Command(name = "generate", description = "Continue prompts token by token: greedy, or sampled with a temperature,"
        + " top-k and top-p from a seed.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis generate --model models/gpt2-tiny --prompt \"The model\" --max-new-tokens 12",
            "  arrakis generate --model gpt2 --prompt \"Hello\" --temperature 0.8 --top-p 0.9 --seed 7",
            "  arrakis generate --model models/induction-2l --tokens 7,3,9,7,3 --max-new-tokens 4",
            "", "Several --prompt (or --tokens) run as one left-padded batch."})
final class GenerateCommand implements Runnable {
    @Mixin
    private ModelOption model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt as text (needs the checkpoint's"
            + " tokenizer.json; BOS added as its tokenizer does). Repeat for a batch.")
    private List<String> prompts = new ArrayList<>();

    @Option(names = "--tokens", paramLabel = "IDS", description = "A prompt as token ids separated by commas or"
            + " spaces, as dump takes them. Repeat for a batch.")
    private List<String> tokenPrompts = new ArrayList<>();

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "20",
            description = "At most this many tokens per prompt (default: ${DEFAULT-VALUE}).")
    private int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "0 (default) decodes greedily; above 0 samples from softmax(logits / T).")
    private double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Sample among the K highest logits only; 0 (default) keeps all.")
    private int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Sample among the likeliest tokens whose probability reaches P; 1 (default) keeps all.")
    private double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seeds the sampling (java.util.SplittableRandom; default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--stop", paramLabel = "ID|TEXT", split = ",", description = "End a prompt's continuation"
            + " after this token: an id, or a text that is one token. Repeatable.")
    private List<String> stops = new ArrayList<>();

    @Option(names = "--no-cache", description = "Recompute the whole sequence at every step instead of keeping"
            + " keys and values (slower; the same tokens).")
    private boolean noCache;

    @Option(names = "--pad-token", paramLabel = "ID", defaultValue = "0",
            description = "The id left padding is filled with in a batch (default: ${DEFAULT-VALUE}).")
    private long padToken;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar when generation takes more"
            + " than a few seconds (default: only on a terminal).")
    private Boolean progress;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        if (prompts.isEmpty() == tokenPrompts.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give the prompts either as --prompt TEXT or as --tokens IDS, not " + (prompts.isEmpty()
                            ? "neither" : "both"));
        }
        List<long[]> tokenRows = tokenPrompts.stream().map(this::tokenIds).toList();
        PrintWriter out = spec.commandLine().getOut();
        try (HookedTransformer transformer = model.load()) {
            Optional<Tokenizer> tokenizer = transformer.tokenizer();
            List<long[]> rows = prompts.isEmpty() ? tokenRows
                    : prompts.stream().map(text -> transformer.requireTokenizer().encode(text)).toList();
            long[] stopTokens = stops.stream().mapToLong(stop -> stopToken(stop, transformer)).toArray();
            GenerationSettings settings = new GenerationSettings(maxNewTokens, temperature, topK, topP, seed,
                    stopTokens, !noCache, padToken);
            ProgressDisplay display = new ProgressDisplay(spec.commandLine().getErr(), ProgressDisplay.DELAY,
                    "tokens");
            boolean showProgress = progress != null ? progress : System.console() != null;
            if (showProgress) {
                display.started("generate", model.model, maxNewTokens);
            }
            Generation generation = Generator.generate(transformer, rows, settings, RunOptions.none(),
                    step -> {
                        if (showProgress) {
                            display.progressed(step.index() + 1, maxNewTokens);
                        }
                    });
            if (showProgress) {
                display.ended(RunStatus.COMPLETE, maxNewTokens, maxNewTokens);
            }
            out.println(describe(transformer, settings));
            for (int row = 0; row < generation.rows(); row++) {
                print(out, generation, row, tokenizer);
            }
        }
    }

    private static String describe(HookedTransformer transformer, GenerationSettings settings) {
        String decoding = settings.greedy() ? "greedy" : "sampled at temperature " + settings.temperature()
                + (settings.topK() > 0 ? ", top-k " + settings.topK() : "")
                + (settings.topP() < 1 ? ", top-p " + settings.topP() : "") + ", seed " + settings.seed();
        return transformer.config().modelType() + ", " + decoding + ", at most " + settings.maxNewTokens()
                + " new tokens, " + (settings.keyValueCache() ? "key/value cache" : "no cache");
    }

    private static void print(PrintWriter out, Generation generation, int row, Optional<Tokenizer> tokenizer) {
        String label = generation.rows() == 1 ? "" : "[" + row + "] ";
        if (tokenizer.isPresent()) {
            out.println(label + "prompt:    " + tokenizer.get().decode(generation.prompt(row)));
            out.println(label + "generated: " + generation.newText(row, tokenizer.get()));
        }
        out.println(label + "tokens:    " + ids(generation.prompt(row)) + " | " + ids(generation.newTokens(row))
                + "  (" + (generation.finish(row) == Generation.Finish.STOP_TOKEN ? "stop token"
                        : "max new tokens") + ")");
    }

    private static String ids(long[] tokens) {
        return Arrays.stream(tokens).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }

    private long[] tokenIds(String list) {
        try {
            long[] ids = Arrays.stream(list.strip().split("[,\\s]+")).mapToLong(Long::parseLong).toArray();
            if (ids.length == 0) {
                throw new NumberFormatException("empty");
            }
            return ids;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tokens takes token ids separated by commas or spaces, e.g. 7,3,9; got '" + list + "'");
        }
    }

    private static long stopToken(String stop, HookedTransformer transformer) {
        if (stop.strip().matches("\\d+")) {
            return Long.parseLong(stop.strip());
        }
        return transformer.toSingleToken(stop);
    }
}
