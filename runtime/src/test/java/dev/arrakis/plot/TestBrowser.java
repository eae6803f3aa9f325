package dev.arrakis.plot;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The system's chromium, headless, driven through the system's chromedriver. Both paths are given explicitly so
 * that Selenium Manager never looks for, or downloads, a browser or driver of its own; the flags keep chromium from
 * reaching the network for updates, sync or field trials.
 */
public final class TestBrowser {
    static final Path CHROMIUM = Path.of(System.getProperty("arrakis.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("arrakis.chromedriver", "/usr/bin/chromedriver"));
    /**
     * Selenium warns on every start that it has no DevTools client for this chromium's version; we use WebDriver
     * only, never DevTools. Held here because java.util.logging keeps loggers weakly.
     */
    private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    private TestBrowser() {}

    /** The programs of the two that are not there, as paths; empty when both are. */
    public static List<String> missingPrograms() {
        List<String> missing = new ArrayList<>();
        for (Path program : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(program)) {
                missing.add(program.toString());
            }
        }
        return missing;
    }

    /**
     * Starts a browser whose viewport is {@code width} x {@code height} CSS pixels.
     *
     * @param profile an empty directory for the browser's profile, so no state leaks in from earlier runs
     */
    public static ChromeDriver start(Path profile, int width, int height) {
        DEVTOOLS_LOG.setLevel(Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: the tests run as root in containers, where chromium's sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }
}
