package dev.arrakis.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.arrakis.ArrakisException;
import dev.arrakis.io.DurableFiles;
import dev.arrakis.io.Json;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.plot.PlotRenderer;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.train.InductionTask;
import dev.arrakis.train.ModularAdditionTask;
import dev.arrakis.train.ToyModels;
import dev.arrakis.train.Trainer;
import dev.arrakis.train.TrainingHistory;
import dev.arrakis.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arrakis train TASK}: trains a toy model from scratch in Java, through the model's own forward pass, and
 * writes it as an HF checkpoint with its loss curve and a record of how it was trained.
 */
@Command(name = "train", description = "Train a toy model from scratch and save it as an HF GPT-2 checkpoint.",
        synopsisSubcommandLabel = "TASK",
        subcommands = {TrainCommand.Induction.class, TrainCommand.ModularAddition.class},
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis train induction --attention-only --steps 6000 --seed 1 \\",
                "      --out models/induction-2l",
                "  arrakis train induction --steps 200 --out /tmp/induction-try   (a quick look)",
                "  arrakis train modular-addition --steps 4500 --seed 1 --out models/modadd-1l",
                "  arrakis help train induction                                   (every option)"})
final class TrainCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a task is required: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The induction toy: a 2-layer GPT-2-style model on random tokens whose second part repeats the first. */
    @Command(name = "induction",
            description = {"Train a small GPT-2-style model on random token sequences that end with a repeated segment,"
                    + " until induction heads form. Writes config.json, model.safetensors, loss-curve.png/.svg and"
                    + " training.json to --out, and prints the scores at every evaluation.",
                "Same seed and --threads give the same numbers, bit for bit, on the same machine and libtorch."},
            footerHeading = "%nExamples:%n",
            footer = {"  arrakis train induction --attention-only --steps 6000 --seed 1 \\",
                    "      --out models/induction-2l          (as committed: see its TRAINING.md)",
                    "  arrakis train induction --steps 300 --vocab 16 --context 16 \\",
                    "      --d-model 32 --heads 2 --learning-rate 0.003 --out /tmp/tiny-induction"})
    static final class Induction implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        private boolean help;

        @Option(names = "--out", paramLabel = "DIR", required = true,
                description = "Directory for the checkpoint, loss curve and training record (created if needed).")
        private Path directory;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "3000",
                description = "Optimiser steps (default: ${DEFAULT-VALUE}).")
        private int steps;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
                description = "Seed of the initial weights and of the training data (default: ${DEFAULT-VALUE}).")
        private long seed;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
                description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        private int batch;

        @Option(names = "--learning-rate", paramLabel = "X", defaultValue = "0.001",
                description = "AdamW's learning rate after warm-up (default: ${DEFAULT-VALUE}).")
        private float learningRate;

        @Option(names = "--warmup", paramLabel = "N", defaultValue = "100",
                description = "Steps of linear learning-rate warm-up (default: ${DEFAULT-VALUE}).")
        private int warmup;

        @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.01",
                description = "AdamW's decoupled weight decay (default: ${DEFAULT-VALUE}).")
        private float weightDecay;

        @Option(names = "--eval-every", paramLabel = "N", defaultValue = "100",
                description = "Steps between evaluations on held-out sequences (default: ${DEFAULT-VALUE}).")
        private int evalEvery;

        @Option(names = "--eval-sequences", paramLabel = "N", defaultValue = "256",
                description = "Held-out sequences per evaluation (default: ${DEFAULT-VALUE}).")
        private int evalSequences;

        @Option(names = "--layers", paramLabel = "N", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
        private int layers;

        @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
        private int heads;

        @Option(names = "--d-model", paramLabel = "N", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
        private int dModel;

        @Option(names = "--d-mlp", paramLabel = "N", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
        private int dMlp;

        @Option(names = "--vocab", paramLabel = "N", defaultValue = "64",
                description = "Tokens 0..N-1, drawn uniformly (default: ${DEFAULT-VALUE}).")
        private int vocab;

        @Option(names = "--context", paramLabel = "N", defaultValue = "64",
                description = "Tokens per sequence, and the model's context (default: ${DEFAULT-VALUE}).")
        private int context;

        @Option(names = "--shortest-repeat", paramLabel = "N", defaultValue = "8",
                description = "Shortest repeated segment; the longest is half the context, and a sequence whose"
                        + " segment is shorter starts with random filler (default: ${DEFAULT-VALUE}).")
        private int shortestRepeat;

        @Option(names = "--attention-only",
                description = "Zero the MLPs and keep them frozen, so only attention learns (TransformerLens's canonical"
                        + " toy); the checkpoint still has its (zero) MLP weights.")
        private boolean attentionOnly;

        @Option(names = "--init-std", paramLabel = "X",
                description = "Standard deviation of the initial weights (default: 0.8 / sqrt(d_model), TransformerLens's;"
                        + " GPT-2 uses 0.02).")
        private Double initStd;

        @Mixin
        private Machine machine;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int threads = machine.threads(spec);
            if (shortestRepeat < 2 || shortestRepeat > context / 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--shortest-repeat must be between 2 and"
                        + " half the context (" + context / 2 + "), got " + shortestRepeat);
            }
            InductionTask task;
            ModelConfig config;
            Trainer.Builder settings;
            double std;
            try {
                task = new InductionTask(vocab, context, shortestRepeat, context / 2);
                config = ToyModels.gpt2(layers, heads, dModel, dMlp, vocab, context);
                std = initStd != null ? initStd : ToyModels.defaultInitStd(config);
                if (!(std > 0) || Double.isInfinite(std)) {
                    throw new IllegalArgumentException("--init-std must be positive and finite, got " + std);
                }
                settings = Trainer.builder().steps(steps).learningRate(learningRate).warmupSteps(warmup)
                        .weightDecay(weightDecay).checkpoint(directory, evalEvery)
                        .evaluateEvery(evalEvery, model -> task.score(model, evalSequences, seed + 1).asMetrics());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            useThreads(threads);
            long started = System.nanoTime();
            TrainingHistory history;
            boolean showProgress = machine.showProgress();
            if (attentionOnly) {
                settings.freeze(ToyModels::isMlpWeight);
            }
            try (HookedTransformer model = ToyModels.create(config, seed, std)) {
                if (attentionOnly) {
                    ToyModels.zeroMlps(model);
                }
                out.printf(Locale.ROOT, "training a %d-layer model (%d heads, d_model %d, %s, vocab %d, context %d)"
                        + " for %d steps, seed %d, %d thread(s); log(vocab) = %.3f%n", layers, heads, dModel,
                        attentionOnly ? "MLPs zeroed and frozen" : "d_mlp " + dMlp, vocab, context, steps, seed,
                        threads, Math.log(vocab));
                history = settings.build().train(model, task.batches(batch, seed),
                        listener(out, err, showProgress, "induction", steps));
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - started);
            new PlotRenderer().render(history.lossCurve("induction toy: losses (nats) on held-out sequences"), directory,
                    "loss-curve");
            writeRecord(history, wall, std);
            TrainingHistory.Evaluation last = history.last();
            out.printf(Locale.ROOT, "done in %.1f s: %s%nwrote %s (config.json, model.safetensors, loss-curve.png,"
                    + " training.json)%n", wall.toMillis() / 1000.0, scores(last.metrics()), directory);
            return 0;
        }

        /** training.json: the settings, the wall time and every evaluation, so the run can be checked and repeated. */
        private void writeRecord(TrainingHistory history, Duration wall, double std) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("steps", steps);
            settings.put("seed", seed);
            settings.put("batch", batch);
            settings.put("learning_rate", learningRate);
            settings.put("warmup", warmup);
            settings.put("weight_decay", weightDecay);
            settings.put("optimizer", "DJL AdamW (beta1 0.9, beta2 0.999, eps 1e-8)");
            settings.put("shortest_repeat", shortestRepeat);
            settings.put("longest_repeat", context / 2);
            settings.put("eval_sequences", evalSequences);
            settings.put("eval_seed", seed + 1);
            settings.put("init_std", std);
            settings.put("attention_only", attentionOnly);
            settings.put("threads", machine.threads(spec));
            TrainCommand.writeRecord(spec, directory, settings, history, wall);
        }
    }

    /** The options every training subcommand shares: how many threads, and whether to draw a progress bar. */
    static final class Machine {
        @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
                description = "libtorch's threads; the numbers are reproducible for a given count (default:"
                        + " ${DEFAULT-VALUE}).")
        private int threads;

        @Option(names = "--progress", negatable = true,
                description = "Show a progress bar (default: only on a terminal).")
        private Boolean progress;

        int threads(CommandSpec spec) {
            if (threads < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be positive, got "
                        + threads);
            }
            return threads;
        }

        boolean showProgress() {
            return progress != null ? progress : System.console() != null;
        }
    }

    /** torch.set_num_threads works whenever called once the engine is loaded, unlike its start-up properties. */
    private static void useThreads(int threads) {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }

    /** A progress bar on a terminal, else one line per evaluation; with the bar the lines come at the end. */
    private static TrainingListener listener(PrintWriter out, PrintWriter err, boolean showProgress, String task,
            int steps) {
        ProgressDisplay bar = showProgress ? new ProgressDisplay(err, ProgressDisplay.DELAY, "steps") : null;
        return new TrainingListener() {
            @Override
            public void started(int total) {
                if (bar != null) {
                    bar.started("train", task, total);
                }
            }

            @Override
            public void stepped(int step, double loss) {
                if (bar != null) {
                    bar.progressed(step, steps);
                }
            }

            @Override
            public void evaluated(int step, Map<String, Double> metrics) {
                if (bar == null) {
                    out.printf(Locale.ROOT, "step %6d  %s%n", step, scores(metrics));
                    out.flush();
                }
            }

            @Override
            public void finished(TrainingHistory history) {
                if (bar != null) {
                    bar.ended(RunStatus.COMPLETE, steps, steps);
                    history.evaluations().forEach(evaluation -> out.printf(Locale.ROOT, "step %6d  %s%n",
                            evaluation.step(), scores(evaluation.metrics())));
                }
            }
        };
    }

    private static String scores(Map<String, Double> metrics) {
        StringBuilder line = new StringBuilder();
        metrics.forEach((name, value) -> line.append(line.length() == 0 ? "" : "  ")
                .append(String.format(Locale.ROOT, "%s %.4f", name, value)));
        return line.toString();
    }

    /** training.json: the command, settings, wall time and every evaluation, so a run can be checked and repeated. */
    private static void writeRecord(CommandSpec spec, Path directory, Map<String, Object> settings,
            TrainingHistory history, Duration wall) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("command", spec.commandLine().getParseResult().originalArgs());
        record.put("settings", settings);
        record.put("wall_seconds", wall.toMillis() / 1000.0);
        record.put("evaluations", history.evaluations());
        try {
            DurableFiles.replace(directory.resolve("training.json"), ByteBuffer.wrap(Json.MAPPER
                    .writerWithDefaultPrettyPrinter().writeValueAsString(record).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ArrakisException("cannot write " + directory.resolve("training.json") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Modular addition (Nanda et al. 2023): a 1-layer ReLU model on {@code a b =}, trained full-batch with heavy weight
     * decay until it generalises from its training pairs to the held-out ones.
     */
    @Command(name = "modular-addition",
            description = {"Train a 1-layer GPT-2-style model (ReLU MLP) to add modulo p on the rows 'a b =',"
                    + " full-batch on a seeded share of the p*p pairs, with heavy weight decay, until it generalises"
                    + " to the held-out pairs (grokking, Nanda et al. 2023). Biases and LayerNorm gains stay frozen at"
                    + " 0 and 1. Writes config.json, model.safetensors, loss-curve.png/.svg (log10 of the train and"
                    + " test losses), accuracy.png/.svg and training.json to --out, and prints the scores at every"
                    + " evaluation.",
                "Same seed and --threads give the same numbers, bit for bit, on the same machine and libtorch."},
            footerHeading = "%nExamples:%n",
            footer = {"  arrakis train modular-addition --p 59 --train-fraction 0.4 \\",
                    "      --d-model 64 --d-mlp 256 --learning-rate 0.003 --steps 4500 \\",
                    "      --cooldown 1500 --seed 1 --out models/modadd-1l",
                    "      (as committed, every default spelled out: see its TRAINING.md)",
                    "  arrakis train modular-addition --p 113 --train-fraction 0.3 \\",
                    "      --d-model 128 --d-mlp 512 --learning-rate 0.001 --steps 40000 \\",
                    "      --cooldown 5000 --out /tmp/modadd-113",
                    "      (Nanda et al.'s p, split, width and learning rate; not run here)"})
    static final class ModularAddition implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        private boolean help;

        @Option(names = "--out", paramLabel = "DIR", required = true,
                description = "Directory for the checkpoint, curves and training record (created if needed).")
        private Path directory;

        @Option(names = "--p", paramLabel = "N", defaultValue = "59",
                description = "The modulus: numbers 0..p-1, and '=' is token p (default: ${DEFAULT-VALUE}).")
        private int modulus;

        @Option(names = "--train-fraction", paramLabel = "X", defaultValue = "0.4",
                description = "Share of the p*p pairs trained on; the rest are held out (default: ${DEFAULT-VALUE}).")
        private double trainFraction;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "4500",
                description = "Full-batch optimiser steps (default: ${DEFAULT-VALUE}).")
        private int steps;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
                description = "Seed of the initial weights and of the train/test split (default: ${DEFAULT-VALUE}).")
        private long seed;

        @Option(names = "--learning-rate", paramLabel = "X", defaultValue = "0.003",
                description = "AdamW's learning rate after warm-up (default: ${DEFAULT-VALUE}; Nanda et al. use 0.001,"
                        + " which groks later).")
        private float learningRate;

        @Option(names = "--warmup", paramLabel = "N", defaultValue = "10",
                description = "Steps of linear learning-rate warm-up (default: ${DEFAULT-VALUE}).")
        private int warmup;

        @Option(names = "--cooldown", paramLabel = "N", defaultValue = "1500",
                description = "Last steps over which the learning rate falls linearly to nearly 0, so the run ends on a"
                        + " settled model: at a constant rate the loss keeps spiking (default: ${DEFAULT-VALUE}).")
        private int cooldown;

        @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "1.0",
                description = "AdamW's decoupled weight decay (default: ${DEFAULT-VALUE}).")
        private float weightDecay;

        @Option(names = "--beta2", paramLabel = "X", defaultValue = "0.98",
                description = "AdamW's second-moment decay (default: ${DEFAULT-VALUE}).")
        private float beta2;

        @Option(names = "--eval-every", paramLabel = "N", defaultValue = "100",
                description = "Steps between evaluations on every train and held-out pair (default: ${DEFAULT-VALUE}).")
        private int evalEvery;

        @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
        private int heads;

        @Option(names = "--d-model", paramLabel = "N", defaultValue = "64",
                description = "Default: ${DEFAULT-VALUE} (Nanda et al.: 128).")
        private int dModel;

        @Option(names = "--d-mlp", paramLabel = "N", defaultValue = "256",
                description = "Default: ${DEFAULT-VALUE} (Nanda et al.: 512).")
        private int dMlp;

        @Mixin
        private Machine machine;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int threads = machine.threads(spec);
            ModularAdditionTask task;
            ModelConfig config;
            Trainer trainer;
            try {
                task = new ModularAdditionTask(modulus, trainFraction, seed);
                config = ToyModels.gpt2(1, heads, dModel, dMlp, task.vocabSize(), ModularAdditionTask.SEQUENCE_LENGTH,
                        Architecture.Activation.RELU);
                trainer = Trainer.builder().steps(steps).learningRate(learningRate).warmupSteps(warmup)
                        .cooldownSteps(cooldown).weightDecay(weightDecay).beta2(beta2).loss(task::answerLoss)
                        .freeze(ToyModels::isBiasOrNormWeight).checkpoint(directory, evalEvery)
                        .evaluateEvery(evalEvery, model -> task.score(model).asMetrics()).build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            useThreads(threads);
            long started = System.nanoTime();
            TrainingHistory history;
            boolean showProgress = machine.showProgress();
            try (HookedTransformer model = ToyModels.create(config, seed)) {
                out.printf(Locale.ROOT, "training a 1-layer model (%d heads, d_model %d, d_mlp %d, ReLU) on a + b"
                        + " mod %d for %d full-batch steps on %d of %d pairs, seed %d, %d thread(s); log(p) = %.3f%n",
                        heads, dModel, dMlp, modulus, steps, task.trainPairs().size(), modulus * modulus, seed, threads,
                        Math.log(modulus));
                history = trainer.train(model, task.fullBatch(),
                        listener(out, err, showProgress, "modular-addition", steps));
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - started);
            PlotRenderer renderer = new PlotRenderer();
            renderer.render(history.metricCurve("a + b mod " + modulus + ": log10 of the loss (nats)",
                    List.of(ModularAdditionTask.TRAIN_LOSS, ModularAdditionTask.TEST_LOSS), Math::log10), directory,
                    "loss-curve");
            renderer.render(history.metricCurve("a + b mod " + modulus + ": accuracy",
                    List.of(ModularAdditionTask.TRAIN_ACCURACY, ModularAdditionTask.TEST_ACCURACY), x -> x), directory,
                    "accuracy");
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("p", modulus);
            record.put("train_fraction", trainFraction);
            record.put("train_pairs", task.trainPairs().size());
            record.put("steps", steps);
            record.put("seed", seed);
            record.put("learning_rate", learningRate);
            record.put("warmup", warmup);
            record.put("cooldown", cooldown);
            record.put("weight_decay", weightDecay);
            record.put("optimizer", "DJL AdamW (beta1 0.9, beta2 " + beta2 + ", eps 1e-8), full batch");
            record.put("frozen", "every bias and LayerNorm gain/bias (at 0 and 1)");
            record.put("init_std", ToyModels.defaultInitStd(config));
            record.put("threads", threads);
            writeRecord(spec, directory, record, history, wall);
            out.printf(Locale.ROOT, "done in %.1f s: %s%nwrote %s (config.json, model.safetensors, loss-curve.png,"
                    + " accuracy.png, training.json)%n", wall.toMillis() / 1000.0, scores(history.last().metrics()),
                    directory);
            return 0;
        }
    }
}
