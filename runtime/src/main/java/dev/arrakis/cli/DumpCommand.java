package dev.arrakis.cli;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsWriter;
import dev.arrakis.io.TensorData;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code arrakis dump}: runs a model and writes its logits and chosen activations to a safetensors file. */
@Command(name = "dump", description = "Run a model and write logits and hook activations (F32) to a safetensors file.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis dump --model gpt2 --text \"The cat sat\" --hooks all \\",
                "      --out cat.safetensors",
                "  arrakis dump --model gpt2 --tokens \"464 3797\" --tokens \"464 3290\" \\",
                "      --hooks blocks.0.attn.hook_pattern,blocks.0.hook_resid_post \\",
                "      --out two.safetensors"})
final class DumpCommand implements Runnable {
    @Mixin
    private ModelOption model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Input input;

    static final class Input {
        @Option(names = "--tokens", paramLabel = "\"ID ID ...\"",
                description = "One batch row of space-separated token ids; repeat for more rows (equal lengths).")
        List<String> tokenRows;

        @Option(names = "--text", paramLabel = "TEXT",
                description = "Text to tokenize with the checkpoint's tokenizer.json.")
        String text;
    }

    @Option(names = "--hooks", split = ",", paramLabel = "NAME",
            description = "Hook points to write besides the logits, comma-separated; 'all' writes every one.")
    private List<String> hooks = List.of();

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Output file.")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        try (HookedTransformer transformer = model.load()) {
            TokenBatch batch = batch(transformer);
            try (ForwardResult result = transformer.run(batch, options())) {
                Map<String, TensorData> tensors = new LinkedHashMap<>();
                tensors.put("logits", toTensor(result.logits()));
                for (String name : result.cache().names()) {
                    tensors.put(name, toTensor(result.cache().get(name)));
                }
                SafetensorsWriter.write(out, tensors, Map.of("format", "pt", "model", transformer.source().toString()));
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.printf("wrote %d tensors for a batch of %d x %d tokens to %s%n",
                        tensors.size(), batch.batchSize(), batch.sequenceLength(), out);
            }
        }
    }

    private RunOptions options() {
        if (hooks.contains("all")) {
            if (hooks.size() > 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--hooks all cannot be combined with names");
            }
            return RunOptions.none().withCacheFilter(name -> true);
        }
        return RunOptions.none().withCache(hooks.toArray(String[]::new));
    }

    private TokenBatch batch(HookedTransformer transformer) {
        if (input.text != null) {
            long[] ids = transformer.tokenizer()
                    .orElseThrow(() -> new ArrakisException("the checkpoint " + transformer.source()
                            + " has no tokenizer.json; pass --tokens instead of --text"))
                    .encode(input.text);
            if (ids.length == 0) {
                throw new ArrakisException("--text produced no tokens");
            }
            return TokenBatch.of(ids);
        }
        long[][] rows = new long[input.tokenRows.size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = parseRow(r, input.tokenRows.get(r));
        }
        return TokenBatch.of(rows);
    }

    private long[] parseRow(int row, String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tokens row " + row + " is empty");
        }
        String[] parts = trimmed.split("[\\s,]+");
        long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--tokens row " + row + ": '" + parts[i] + "' is not a token id");
            }
        }
        return ids;
    }

    private static TensorData toTensor(NDArray array) {
        return TensorData.f32(array.getShape().getShape(), array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .toFloatArray());
    }
}
