package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.io.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versions of each experiment: {@code experiments/<name>/v<N>.json}, each holding one fingerprint and its
 * source. A fingerprint seen before gets its old version back; a new one gets the next number.
 *
 * <p>Allocation holds an exclusive file lock on the experiment's {@code .lock} file, so JVMs sharing a store agree
 * on numbers, and a lock per directory within this JVM, because a file lock belongs to the whole process and two
 * threads of one JVM must not both take it. The operating system drops a dead process's lock, so a killed writer
 * never wedges the store. Version files appear by atomic rename, complete or not at all.
 */
final class VersionIndex {
    /** At most 9 digits, so that every number a version file name holds is an int; a longer one is not a version. */
    private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]{0,8})\\.json");
    private static final int MAX_VERSION = 999_999_999;
    private static final ConcurrentHashMap<Path, Object> LOCKS_IN_THIS_JVM = new ConcurrentHashMap<>();

    private final Path experimentsDirectory;

    VersionIndex(Path experimentsDirectory) {
        this.experimentsDirectory = experimentsDirectory;
    }

    /** One version of an experiment. */
    record Version(int number, String fingerprint, String source, String firstRecordedAt) {}

    /** The version of this fingerprint, allocated now if the experiment never had it. */
    int versionOf(String experiment, String fingerprint, String source) {
        Path directory = directoryOf(experiment);
        try {
            Files.createDirectories(directory);
            Object jvmLock = LOCKS_IN_THIS_JVM.computeIfAbsent(directory.toAbsolutePath().normalize(),
                    key -> new Object());
            synchronized (jvmLock) {
                try (FileChannel channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                        FileLock lock = channel.lock()) {
                    int highest = 0;
                    for (Path file : versionFiles(directory)) {
                        int number = numberOf(file);
                        highest = Math.max(highest, number);
                        Version version = readOrNull(file, number);
                        if (version != null && version.fingerprint().equals(fingerprint)) {
                            return number;
                        }
                    }
                    if (highest == MAX_VERSION) {
                        throw new RunStoreException(directory.resolve("v" + highest + ".json") + " leaves no version"
                                + " number for a new source of " + experiment);
                    }
                    int next = highest + 1;
                    ObjectNode node = Json.MAPPER.createObjectNode();
                    node.put("experiment", experiment);
                    node.put("version", next);
                    node.put("fingerprint", fingerprint);
                    node.put("firstRecordedAt", Instant.now().toString());
                    node.put("source", source);
                    AtomicFiles.write(directory.resolve("v" + next + ".json"),
                            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
                    return next;
                }
            }
        } catch (IOException e) {
            throw new RunStoreException("cannot allocate a version of " + experiment + " in " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    /** The experiment's versions that can be read, lowest first; unreadable ones are left out. */
    List<Version> versions(String experiment) {
        Path directory = directoryOf(experiment);
        List<Version> versions = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return versions;
        }
        try {
            for (Path file : versionFiles(directory)) {
                Version version = readOrNull(file, numberOf(file));
                if (version != null) {
                    versions.add(version);
                }
            }
        } catch (IOException e) {
            throw new RunStoreException("cannot list the versions of " + experiment + " in " + directory + ": "
                    + e.getMessage(), e);
        }
        versions.sort(java.util.Comparator.comparingInt(Version::number));
        return versions;
    }

    private Path directoryOf(String experiment) {
        return experimentsDirectory.resolve(StoreNames.directoryName(experiment));
    }

    private static List<Path> versionFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> VERSION_FILE.matcher(file.getFileName().toString()).matches()).toList();
        }
    }

    private static int numberOf(Path file) {
        Matcher matcher = VERSION_FILE.matcher(file.getFileName().toString());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(file.toString());
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Null for a file that is not a version record: its number stays taken, its fingerprint unknown. */
    private static Version readOrNull(Path file, int number) {
        try {
            JsonNode node = Json.MAPPER.readTree(file.toFile());
            if (node == null || !node.path("fingerprint").isTextual()) {
                return null;
            }
            return new Version(number, node.get("fingerprint").asText(), node.path("source").asText(""),
                    node.path("firstRecordedAt").asText(""));
        } catch (IOException e) {
            return null;
        }
    }
}
