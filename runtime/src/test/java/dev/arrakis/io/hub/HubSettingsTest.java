package dev.arrakis.io.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HubSettingsTest {

    private static final Path HOME = Path.of("/home/researcher");

    private static HubSettings settings(Map<String, String> env) {
        return HubSettings.fromEnvironment(env, HOME);
    }

    @Test
    void hubCacheVariableWinsOverHfHome() {
        HubSettings settings = settings(Map.of("HF_HUB_CACHE", "/data/hub-cache", "HF_HOME", "/data/hf"));

        assertEquals(Path.of("/data/hub-cache"), settings.cacheDir());
    }

    @Test
    void hfHomeHoldsTheCacheInItsHubFolder() {
        HubSettings settings = settings(Map.of("HF_HOME", "/data/hf", "XDG_CACHE_HOME", "/data/xdg"));

        assertEquals(Path.of("/data/hf/hub"), settings.cacheDir());
    }

    @Test
    void xdgCacheHomeMovesTheDefaultLikeHuggingfaceHubDoes() {
        assertEquals(Path.of("/data/xdg/huggingface/hub"), settings(Map.of("XDG_CACHE_HOME", "/data/xdg")).cacheDir());
    }

    @Test
    void withoutVariablesTheCacheIsUnderTheUsersHome() {
        assertEquals(HOME.resolve(".cache/huggingface/hub"), settings(Map.of()).cacheDir());
    }

    @Test
    void blankVariablesCountAsUnset() {
        HubSettings settings = settings(Map.of("HF_HUB_CACHE", " ", "HF_HOME", "", "HF_TOKEN", ""));

        assertEquals(HOME.resolve(".cache/huggingface/hub"), settings.cacheDir());
        assertEquals(Optional.empty(), settings.token());
    }

    @Test
    void leadingTildeMeansTheUsersHome() {
        assertEquals(HOME.resolve("hf/hub"), settings(Map.of("HF_HOME", "~/hf")).cacheDir());
    }

    @Test
    void defaultsReachTheRealHubOnline() {
        HubSettings settings = settings(Map.of());

        assertEquals(URI.create("https://huggingface.co"), settings.endpoint());
        assertEquals(Optional.empty(), settings.token());
        assertFalse(settings.offline(), settings.toString());
        assertEquals(HubSettings.DEFAULT_TIMEOUT, settings.timeout());
    }

    @Test
    void endpointTokenAndTimeoutComeFromTheirVariables() {
        HubSettings settings = settings(Map.of(
                "HF_ENDPOINT", "https://hf-mirror.example/",
                "HF_TOKEN", "hf_secret",
                "HF_HUB_DOWNLOAD_TIMEOUT", "2.5"));

        assertEquals(URI.create("https://hf-mirror.example"), settings.endpoint());
        assertEquals(Optional.of("hf_secret"), settings.token());
        assertEquals(Duration.ofMillis(2500), settings.timeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "TRUE", "yes", "On", " on "})
    void offlineAcceptsTheTruthyValues(String value) {
        assertTrue(settings(Map.of("HF_HUB_OFFLINE", value)).offline(), "HF_HUB_OFFLINE='" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "no", "off", "", "offline"})
    void offlineIsOffForEverythingElse(String value) {
        assertFalse(settings(Map.of("HF_HUB_OFFLINE", value)).offline(), "HF_HUB_OFFLINE='" + value + "'");
    }

    @Test
    void malformedEndpointIsRejectedNamingTheVariable() {
        ArrakisException error =
                assertThrows(ArrakisException.class, () -> settings(Map.of("HF_ENDPOINT", "huggingface.co")));

        assertTrue(error.getMessage().contains("HF_ENDPOINT 'huggingface.co'"), error.getMessage());
    }

    @Test
    void malformedTimeoutIsRejectedNamingTheVariable() {
        ArrakisException error =
                assertThrows(ArrakisException.class, () -> settings(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "soon")));

        assertTrue(error.getMessage().contains("HF_HUB_DOWNLOAD_TIMEOUT 'soon'"), error.getMessage());
    }
}
