package dev.arrakis.runs;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a run ran: the software that computed its numbers and the state of the researcher's working tree, so that a
 * number can be traced back months later.
 *
 * @param java {@code java.runtime.version} and vendor
 * @param djl DJL's version
 * @param engine the engine's name and version, e.g. {@code PyTorch 2.7.1} (the libtorch DJL loaded)
 * @param os operating system name, version and architecture
 * @param processors processors available to the JVM
 * @param git the working tree's commit, or null outside a git repository or without git
 */
public record RunEnvironment(String java, String djl, String engine, String os, int processors, GitState git) {

    /**
     * The commit checked out in a working tree and whether the tree differed from it.
     *
     * @param root the working tree's top directory
     * @param commit the full hash of {@code HEAD}
     * @param dirty true when tracked files were modified or untracked files were present
     * @param changedPaths how many paths {@code git status --porcelain} listed
     */
    public record GitState(String root, String commit, boolean dirty, int changedPaths) {}

    private static final long GIT_TIMEOUT_SECONDS = 10;

    /** The environment now, with the git state of the repository that holds {@code workingDirectory}, if any. */
    public static RunEnvironment capture(Path workingDirectory) {
        Engine engine = Engine.getInstance();
        return new RunEnvironment(
                System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")",
                Engine.getDjlVersion(),
                engine.getEngineName() + " " + engine.getVersion(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                gitState(workingDirectory));
    }

    /** Null when the directory is in no repository, git is missing or does not answer in time. */
    static GitState gitState(Path directory) {
        List<String> head = git(directory, "rev-parse", "--show-toplevel", "HEAD");
        if (head == null || head.size() < 2) {
            return null;
        }
        List<String> changes = git(directory, "status", "--porcelain");
        if (changes == null) {
            return null;
        }
        return new GitState(head.get(0), head.get(1), !changes.isEmpty(), changes.size());
    }

    private static List<String> git(Path directory, String... arguments) {
        List<String> command = new ArrayList<>(List.of("git", "-C", directory.toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
        try (InputStream output = process.getInputStream()) {
            process.getOutputStream().close();
            String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            return text.lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            process.destroy();
        }
    }
}
