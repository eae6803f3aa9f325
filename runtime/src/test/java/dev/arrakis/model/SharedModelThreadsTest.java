package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.HookException;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.RandomWork.Job;
import dev.arrakis.model.RandomWork.Kind;
import dev.arrakis.model.RandomWork.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One model shared by several threads, each call with its own hooks and caches: every call gives, bit for bit, what
 * the same call gives alone, and {@link HookedTransformer#close()} waits for running calls and refuses later ones.
 */
class SharedModelThreadsTest {
    private static final int THREADS = 8;
    private static final int JOBS_PER_THREAD = 12;

    /**
     * 96 random jobs (forward passes with random hooks and caches, early stops, key/value-cache continuations, greedy
     * generation, gradient passes, hooks that throw) run once alone and then eight threads at a time, on GPT-2 and on
     * a LLaMA-style model (rotary tables, grouped-query attention).
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-prefixed", "llama-gqa"})
    void everyCallUnderThreadsGivesWhatItGivesAlone(String caseName) throws Exception {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory())) {
            int weightsOnly = NativeResources.arraysUnder(model.manager());
            List<Job> jobs = new RandomWork(17, model).jobs(THREADS * JOBS_PER_THREAD, Kind.values());
            List<Outcome> alone = runAlone(model, jobs);
            AtomicInteger mostAtOnce = new AtomicInteger();
            List<Outcome> together = runTogether(model, jobs, mostAtOnce);
            assertTrue(mostAtOnce.get() > 1, "jobs running at once at the busiest moment: " + mostAtOnce.get());
            int failures = 0;
            for (int i = 0; i < jobs.size(); i++) {
                assertNull(together.get(i).differenceFrom(alone.get(i)), "job " + i + " (" + jobs.get(i)
                        + ") on a thread among " + THREADS + " differs from the same job alone");
                failures += alone.get(i).failedHook() != null ? 1 : 0;
            }
            assertTrue(failures > 0, "the jobs include hooks that throw: " + failures + " of " + jobs.size()
                    + " failed");
            assertEquals(weightsOnly, NativeResources.arraysUnder(model.manager()),
                    "arrays under the model's manager after " + jobs.size() + " concurrent jobs");
        }
    }

    /**
     * The jobs one after another on one thread of its own. Not on the test's main thread, which loaded the model:
     * under load, the thread that first ran libtorch's parallel ops ran the same passes tens of times slower than
     * any other (see docs/reliability.md).
     */
    private static List<Outcome> runAlone(HookedTransformer model, List<Job> jobs) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return thread.submit(() -> {
                List<Outcome> outcomes = new ArrayList<>();
                for (Job job : jobs) {
                    outcomes.add(job.runOn(model));
                }
                return outcomes;
            }).get(10, TimeUnit.MINUTES);
        } finally {
            thread.shutdownNow();
        }
    }

    /** Each thread runs its share of the jobs, all starting at once; outcomes come back in the jobs' order. */
    private static List<Outcome> runTogether(HookedTransformer model, List<Job> jobs, AtomicInteger mostAtOnce)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        AtomicInteger running = new AtomicInteger();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Outcome>>> shares = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<Job> share = jobs.subList(t * JOBS_PER_THREAD, (t + 1) * JOBS_PER_THREAD);
                shares.add(threads.submit(() -> {
                    start.await();
                    List<Outcome> outcomes = new ArrayList<>();
                    for (Job job : share) {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        outcomes.add(job.runOn(model));
                        running.decrementAndGet();
                    }
                    return outcomes;
                }));
            }
            start.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<List<Outcome>> share : shares) {
                outcomes.addAll(share.get(10, TimeUnit.MINUTES));
            }
            return outcomes;
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theTokenizerUnderThreadsGivesWhatItGivesAlone() throws Exception {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory())) {
            String[] words = {"the", " cat", " sat", " on", " a", " mat", "ing", " Paris", " é", "123", "!", "\n"};
            List<String> texts = new ArrayList<>();
            java.util.SplittableRandom random = new java.util.SplittableRandom(5);
            for (int i = 0; i < 400; i++) {
                StringBuilder text = new StringBuilder();
                for (int w = random.nextInt(1, 20); w > 0; w--) {
                    text.append(words[random.nextInt(words.length)]);
                }
                texts.add(text.toString());
            }
            List<String> alone = new ArrayList<>();
            for (String text : texts) {
                alone.add(roundTrip(model, text));
            }
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<String>> together = new ArrayList<>();
                for (String text : texts) {
                    together.add(threads.submit(() -> roundTrip(model, text)));
                }
                for (int i = 0; i < texts.size(); i++) {
                    assertEquals(alone.get(i), together.get(i).get(1, TimeUnit.MINUTES),
                            "tokens and decoded text of '" + texts.get(i) + "' on a thread among " + THREADS);
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    private static String roundTrip(HookedTransformer model, String text) {
        long[] ids = model.requireTokenizer().encode(text);
        return java.util.Arrays.toString(ids) + " -> " + model.requireTokenizer().decode(ids) + " "
                + model.toStrTokens(text);
    }

    /**
     * close() on one thread while a pass runs on another waits for the pass, which runs to its last hook point with the
     * numbers it gives alone; a call made after close() is refused with {@link ModelClosedException} naming the model.
     */
    @Test
    void closeWaitsForARunningPassAndRefusesLaterCalls() throws Exception {
        HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory());
        TokenBatch batch = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7});
        // read inside the pass: a ForwardResult still open when the model closes is freed with it
        String last = "ln_final.hook_normalized";
        AtomicReference<float[]> lastActivation = new AtomicReference<>();
        RunOptions reading = RunOptions.none().withHook(last, (activation, context) -> {
            lastActivation.set(activation.toFloatArray());
            return activation;
        });
        model.run(batch, reading).close();
        Outcome expected = new Outcome(lastActivation.get(), null);
        CountDownLatch insidePass = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RunOptions pausing = reading.withHook("blocks.1.hook_resid_pre", (activation, context) -> {
            insidePass.countDown();
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return activation;
        });
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Outcome> pass = threads.submit(() -> {
                lastActivation.set(null);
                model.run(batch, pausing).close();
                return new Outcome(lastActivation.get(), null);
            });
            assertTrue(insidePass.await(1, TimeUnit.MINUTES), "the pass reached its hook");
            AtomicReference<Thread> closer = new AtomicReference<>();
            Future<?> closing = threads.submit(() -> {
                closer.set(Thread.currentThread());
                model.close();
            });
            Thread.State closerState = awaitBlockedOrDone(closer, closing);
            assertEquals(Thread.State.WAITING, closerState, "close() while a pass runs on another thread waits");
            release.countDown();
            Outcome completed = pass.get(1, TimeUnit.MINUTES);
            closing.get(1, TimeUnit.MINUTES);
            assertNull(completed.differenceFrom(expected), "the pass close() waited for");
        } finally {
            release.countDown();
            threads.shutdownNow();
            model.close();
        }
        ModelClosedException refused = assertThrows(ModelClosedException.class, () -> model.forward(batch));
        assertTrue(refused.getMessage().contains("gpt2-prefixed") && refused.getMessage().contains("closed"),
                "the refusal names the model and says it is closed: " + refused.getMessage());
        assertThrows(ModelClosedException.class, () -> model.newKeyValueCache(1), "a new key/value cache");
        assertThrows(ModelClosedException.class, () -> model.toTokens("the cat"), "tokenizing through the model");
    }

    /** The closer's state once it is parked or finished; waiting for either has a generous safety timeout. */
    private static Thread.State awaitBlockedOrDone(AtomicReference<Thread> closer, Future<?> closing)
            throws InterruptedException {
        for (int i = 0; i < 60_000; i++) {
            Thread thread = closer.get();
            if (closing.isDone()) {
                return Thread.State.TERMINATED;
            }
            if (thread != null && (thread.getState() == Thread.State.WAITING
                    || thread.getState() == Thread.State.TIMED_WAITING)) {
                return Thread.State.WAITING;
            }
            Thread.sleep(1);
        }
        return closer.get() == null ? Thread.State.NEW : closer.get().getState();
    }

    /** Closing the model from inside one of its own passes would wait for itself: it is refused, and the pass fails. */
    @Test
    void closeFromInsideOwnPassIsRefused() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory())) {
            TokenBatch batch = TokenBatch.of(new long[] {5, 17, 3});
            Outcome expected = RandomWork.plainLogits(model, batch);
            RunOptions closing = RunOptions.none().withHook("blocks.0.hook_mlp_out", (activation, context) -> {
                model.close();
                return activation;
            });
            HookException failed = assertThrows(HookException.class, () -> model.run(batch, closing).close());
            ModelClosedException cause = assertInstanceOf(ModelClosedException.class, failed.getCause(),
                    "what the hook threw: " + failed.getMessage());
            assertTrue(cause.getMessage().contains("from inside"), "the refusal says why: " + cause.getMessage());
            assertNull(RandomWork.plainLogits(model, batch).differenceFrom(expected),
                    "the model after refusing to close itself mid-pass");
        }
    }

    /** A view made by model surgery shares the weights, so closing its base waits for the view's passes too. */
    @Test
    void aClosedBaseRefusesItsViewsCalls() {
        HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory());
        HookedTransformer view = model.view(model.description(), model.weights().all(), model.newViewManager());
        TokenBatch batch = TokenBatch.of(new long[] {5, 17, 3});
        float[] expected = RandomWork.plainLogits(model, batch).numbers();
        assertArrayEquals(expected, RandomWork.plainLogits(view, batch).numbers(), "the view's logits");
        model.close();
        assertThrows(ModelClosedException.class, () -> view.forward(batch), "a pass of a closed model's view");
    }
}
