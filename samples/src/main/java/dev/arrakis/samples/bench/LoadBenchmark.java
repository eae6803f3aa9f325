package dev.arrakis.samples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.io.WeightDigest;
import dev.arrakis.io.WeightSource;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Precision;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.profile.ProcessMemory;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.ModelDescription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loads a checkpoint once and runs one forward pass, printing one JSON line with the load time and the process's peak
 * resident memory (VmHWM) after the load and after the pass, in the format of {@code tools/bench/hf_load.py}. Run it
 * in a fresh JVM per measurement: the peak is process-wide and only grows.
 */
@Command(name = "load-benchmark", mixinStandardHelpOptions = true)
public final class LoadBenchmark implements Callable<Integer> {
    private static final double MIB = 1024 * 1024;

    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", defaultValue = "2")
    private int threads;

    @Option(names = "--seq", defaultValue = "128", description = "Tokens of the first forward pass.")
    private int seq;

    @Option(names = "--precision", defaultValue = "F32")
    private Precision precision;

    @Option(names = "--cache", split = ",", description = "Hook points the forward pass caches; 'all' for every one.")
    private List<String> cache = List.of();

    @Option(names = "--copy", description = "Decode every tensor into Java arrays and copy it, as loads did before"
            + " weights were mapped (F32 only).")
    private boolean copy;

    @Option(names = "--digest", description = "Also time the SHA-256 of the weight files that a recorded run stores.")
    private boolean digest;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchmarkSupport.useThreads(threads);
        startEngine();
        ProcessMemory memory = ProcessMemory.self();
        long baseline = memory.status().peakResidentBytes();
        long start = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        try (HookedTransformer transformer = copy ? loadCopied() : HookedTransformer.load(model, ai.djl.Device.cpu(),
                precision)) {
            double loadMillis = (System.nanoTime() - start) / 1e6;
            long afterLoad = memory.status().peakResidentBytes();
            long forwardStart = System.nanoTime();
            TokenBatch tokens = BenchmarkSupport.randomTokens(1, seq, transformer.config().vocabSize(), 0);
            RunOptions options = cache.isEmpty() ? RunOptions.none()
                    : cache.equals(List.of("all")) ? RunOptions.none().withCacheAll()
                    : RunOptions.none().withCache(cache.toArray(String[]::new));
            int cached;
            try (ForwardResult forward = transformer.run(tokens, options)) {
                forward.logits().getFloat(0, 0, 0);
                cached = cache.isEmpty() ? 0 : forward.cache().names().size();
            }
            double forwardMillis = (System.nanoTime() - forwardStart) / 1e6;
            long afterForward = memory.status().peakResidentBytes();
            result.put("impl", copy ? "arrakis-djl-copy" : "arrakis-djl");
            result.put("libtorch", Engine.getEngine("PyTorch").getVersion());
            result.put("threads", threads);
            result.put("precision", precision.name());
            result.put("weight_bytes", weightBytes());
            result.put("load_ms", BenchmarkSupport.round(loadMillis));
            result.put("peak_rss_mib_start", mib(baseline));
            result.put("peak_rss_mib_load", mib(afterLoad));
            result.put("peak_rss_mib_forward", mib(afterForward));
            result.put("seq", seq);
            result.put("forward_ms", BenchmarkSupport.round(forwardMillis));
            result.put("cached_hook_points", cached);
            // what is resident now, split by kind: file-backed pages are the mapped weights, which the kernel can
            // drop and re-read; anonymous ones are copies and activations
            result.put("rss_anon_mib_now", statusMib("RssAnon"));
            result.put("rss_file_mib_now", statusMib("RssFile"));
        }
        if (digest) {
            long digestStart = System.nanoTime();
            WeightDigest.ofCheckpoint(model);
            result.put("digest_ms", BenchmarkSupport.round((System.nanoTime() - digestStart) / 1e6));
        }
        System.out.println(new ObjectMapper().writeValueAsString(result));
        return 0;
    }

    /** Loads libtorch before anything is measured, as importing torch does before HF's load is timed. */
    private static void startEngine() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch"); NDArray one = manager.ones(new ai.djl.ndarray
                .types.Shape(1))) {
            one.getFloat(0);
        }
    }

    private HookedTransformer loadCopied() {
        ModelDescription description = ConfigShapes.describe(CheckpointFiles.readConfig(model));
        try (WeightSource source = WeightSource.copied(CheckpointFiles.open(model))) {
            return HookedTransformer.create(description, source);
        }
    }

    private long weightBytes() throws java.io.IOException {
        long total = 0;
        for (Path file : CheckpointFiles.weightFiles(model)) {
            total += Files.size(file);
        }
        return total;
    }

    /** A {@code kB} field of {@code /proc/self/status} in MiB, or -1 where there is none. */
    private static double statusMib(String field) {
        try {
            return mib(BenchmarkSupport.statusKilobytes(field) * 1024);
        } catch (java.io.IOException | IllegalStateException e) {
            return -1;
        }
    }

    private static double mib(long bytes) {
        return BenchmarkSupport.round(bytes / MIB);
    }
}
