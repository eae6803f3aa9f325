package dev.arrakis.io.hub;

import dev.arrakis.ArrakisException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the Hugging Face cache lives and how to reach the hub, read from the same environment variables that
 * huggingface_hub reads, so that Arrakis and Python share one cache.
 *
 * @param cacheDir the hub cache, holding one {@code models--org--name} folder per repo
 * @param endpoint the hub's base URL, {@code https://huggingface.co} unless a mirror is configured
 * @param token the access token sent as a bearer token, needed for private and gated repos
 * @param offline whether downloads are forbidden, so that only the cache is consulted
 * @param timeout how long to wait to connect, and for each response to start
 */
public record HubSettings(Path cacheDir, URI endpoint, Optional<String> token, boolean offline, Duration timeout) {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** huggingface_hub's default for {@code HF_HUB_DOWNLOAD_TIMEOUT}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Set<String> TRUE_VALUES = Set.of("1", "true", "yes", "on");

    public HubSettings {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** Settings from this process's environment and the {@code user.home} system property. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Settings from the given environment: {@code HF_HUB_CACHE}, {@code HF_HOME}, {@code XDG_CACHE_HOME},
     * {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE} and {@code HF_HUB_DOWNLOAD_TIMEOUT} (seconds).
     * Blank variables count as unset.
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path userHome) {
        return new HubSettings(
                cacheDir(env, userHome),
                endpoint(env),
                variable(env, "HF_TOKEN"),
                variable(env, "HF_HUB_OFFLINE").map(HubSettings::isTrue).orElse(false),
                timeout(env));
    }

    private static Path cacheDir(Map<String, String> env, Path userHome) {
        Optional<Path> hubCache = variable(env, "HF_HUB_CACHE").map(value -> expandHome(value, userHome));
        if (hubCache.isPresent()) {
            return hubCache.get();
        }
        Path hfHome = variable(env, "HF_HOME")
                .map(value -> expandHome(value, userHome))
                .orElseGet(() -> variable(env, "XDG_CACHE_HOME")
                        .map(value -> expandHome(value, userHome))
                        .orElse(userHome.resolve(".cache"))
                        .resolve("huggingface"));
        return hfHome.resolve("hub");
    }

    // huggingface_hub expands a leading ~ in these variables, and shells leave it unexpanded inside quotes.
    private static Path expandHome(String value, Path userHome) {
        if (value.equals("~")) {
            return userHome;
        }
        if (value.startsWith("~/")) {
            return userHome.resolve(value.substring(2));
        }
        return Path.of(value);
    }

    private static URI endpoint(Map<String, String> env) {
        Optional<String> configured = variable(env, "HF_ENDPOINT");
        if (configured.isEmpty()) {
            return DEFAULT_ENDPOINT;
        }
        String text = configured.get().replaceAll("/+$", "");
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            if (uri.getHost() != null && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, with the variable's name
        }
        throw new ArrakisException(
                "HF_ENDPOINT '" + configured.get() + "' is not an http(s) URL such as " + DEFAULT_ENDPOINT);
    }

    private static Duration timeout(Map<String, String> env) {
        Optional<String> configured = variable(env, "HF_HUB_DOWNLOAD_TIMEOUT");
        if (configured.isEmpty()) {
            return DEFAULT_TIMEOUT;
        }
        try {
            double seconds = Double.parseDouble(configured.get());
            if (seconds > 0 && Double.isFinite(seconds)) {
                return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
            }
        } catch (NumberFormatException e) {
            // reported below, with the variable's name
        }
        throw new ArrakisException("HF_HUB_DOWNLOAD_TIMEOUT '" + configured.get()
                + "' is not a positive number of seconds");
    }

    private static boolean isTrue(String value) {
        return TRUE_VALUES.contains(value.toLowerCase(Locale.ROOT));
    }

    private static Optional<String> variable(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(value -> !value.isEmpty());
    }
}
