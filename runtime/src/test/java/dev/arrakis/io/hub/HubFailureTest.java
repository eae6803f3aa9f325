package dev.arrakis.io.hub;

import static dev.arrakis.io.hub.LoopbackHub.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a researcher is told when a model cannot be had, and what is refused. */
class HubFailureTest {

    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration FAST = Duration.ofSeconds(5);
    /**
     * Catches a hang (a timeout not applied), not slowness: that the short timeout is what ended the wait shows in
     * the message, which names it and the exception, whatever the machine's load.
     */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private LoopbackHub hub;
    private Path cacheDir;

    @BeforeEach
    void startHub() throws IOException {
        hub = new LoopbackHub()
                .withRepo("old-lab/bin-only", "1".repeat(40), Map.of(
                        "config.json", utf8("{}"),
                        "pytorch_model.bin", utf8("pickle")))
                .withRepo("old-lab/no-config", "2".repeat(40), Map.of("model.safetensors", utf8("weights")))
                .withRepo("lab/bad-index", "3".repeat(40), Map.of(
                        "config.json", utf8("{}"),
                        "model.safetensors.index.json", utf8("{\"weight_map\": {\"w\": \"../../escape.safetensors\"}}")));
        cacheDir = temp.resolve("hub");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void offlineAndNotCachedSaysWhereItLookedAndHowToGetTheModel() {
        HubModelResolver resolver = new HubModelResolver(
                new HubSettings(cacheDir, hub.endpoint(), Optional.empty(), true, FAST));

        String message = assertThrows(ModelNotFoundException.class, () -> resolver.resolve("gpt2")).getMessage();

        assertMentions(message, "'gpt2'", cacheDir.resolve("models--gpt2").toString(), "HF_HUB_OFFLINE",
                "huggingface-cli download gpt2", "HF_HUB_CACHE", "checkpoint directory");
        assertEquals("Model 'gpt2' is not available locally and could not be downloaded: get it with"
                + " `huggingface-cli download gpt2` where the hub is reachable (details below)",
                message.lines().findFirst().orElseThrow(), "the first line says how to get the model");
        assertEquals(0, hub.requests().size());
    }

    @Test
    void refusedConnectionFailsWithTheNetworkError() throws IOException {
        URI closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        HubModelResolver resolver = resolverAt(closedPort, SHORT_TIMEOUT);

        String message = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(ModelNotFoundException.class, () -> resolver.resolve("gpt2"))).getMessage();

        assertMentions(message, "'gpt2'", "could not reach " + closedPort, "ConnectException",
                cacheDir.resolve("models--gpt2").toString(), "huggingface-cli download gpt2");
    }

    @Test
    void endpointThatNeverAnswersTimesOut() throws IOException {
        // A listening socket that never accepts: the kernel completes the connection, nobody answers.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HubModelResolver resolver =
                    resolverAt(URI.create("http://127.0.0.1:" + silent.getLocalPort()), SHORT_TIMEOUT);

            String message = assertTimeoutPreemptively(HANG_GUARD,
                    () -> assertThrows(ModelNotFoundException.class, () -> resolver.resolve("gpt2"))).getMessage();

            assertMentions(message, "'gpt2'", "did not answer within 0.5 s", "HttpTimeoutException",
                    "huggingface-cli download gpt2");
        }
    }

    @Test
    void unknownRepoIsReportedAsMissingAtThatEndpoint() {
        String message = assertThrows(ModelNotFoundException.class,
                () -> resolverAt(hub.endpoint(), FAST).resolve("nobody/nothing")).getMessage();

        assertMentions(message, "repo 'nobody/nothing' does not exist at " + hub.endpoint(), "HTTP 404");
    }

    @Test
    void unauthorizedSuggestsAToken() {
        hub.answeringEverything(401);

        String message = assertThrows(ModelNotFoundException.class,
                () -> resolverAt(hub.endpoint(), FAST).resolve("meta-llama/Llama-2-7b")).getMessage();

        assertMentions(message, "HTTP 401", "private or gated", "set HF_TOKEN");
    }

    @Test
    void forbiddenWithATokenSaysTheTokenLacksAccess() {
        hub.answeringEverything(403);
        HubModelResolver resolver = new HubModelResolver(
                new HubSettings(cacheDir, hub.endpoint(), Optional.of("hf_weak"), false, FAST));

        String message = assertThrows(ModelNotFoundException.class,
                () -> resolver.resolve("meta-llama/Llama-2-7b")).getMessage();

        assertMentions(message, "HTTP 403", "token in HF_TOKEN does not grant access");
    }

    @Test
    void pickleOnlyRepoIsRefusedWithoutDownloadingAnything() {
        String message = assertThrows(HubException.class,
                () -> resolverAt(hub.endpoint(), FAST).resolve("old-lab/bin-only")).getMessage();

        assertMentions(message, "'old-lab/bin-only'", "pytorch_model.bin", "safetensors only");
        assertEquals(List.of(), hub.downloadedFiles());
    }

    @Test
    void repoWithoutConfigIsRefusedWithoutDownloadingAnything() {
        String message = assertThrows(HubException.class,
                () -> resolverAt(hub.endpoint(), FAST).resolve("old-lab/no-config")).getMessage();

        assertMentions(message, "'old-lab/no-config'", "config.json");
        assertEquals(List.of(), hub.downloadedFiles());
    }

    @Test
    void indexNamingAShardOutsideTheRepoIsRefused() {
        String message = assertThrows(HubException.class,
                () -> resolverAt(hub.endpoint(), FAST).resolve("lab/bad-index")).getMessage();

        assertMentions(message, "'../../escape.safetensors'");
        assertFalse(Files.exists(temp.resolve("escape.safetensors")), "nothing written at " + temp.resolve(
                "escape.safetensors"));
    }

    @Test
    void interruptionStopsTheDownloadAndKeepsTheInterruptFlag() {
        HubApi interrupted = new HubApi() {
            @Override
            public RepoRevision revision(RepoId repo, String revision) throws InterruptedException {
                throw new InterruptedException();
            }

            @Override
            public FileDownload open(RepoId repo, String commit, String file) {
                throw new AssertionError("nothing is opened after an interrupt");
            }
        };
        HubModelResolver resolver = new HubModelResolver(
                new HubSettings(cacheDir, hub.endpoint(), Optional.empty(), false, FAST), line -> {}, interrupted);

        try {
            assertThrows(HubException.class, () -> resolver.resolve("gpt2"));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is set again after the refusal");
        } finally {
            Thread.interrupted();
        }
    }

    private HubModelResolver resolverAt(URI endpoint, Duration timeout) {
        return new HubModelResolver(new HubSettings(cacheDir, endpoint, Optional.empty(), false, timeout));
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in:\n" + message);
        }
    }
}
