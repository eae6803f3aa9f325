package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SHA-256 of one weight file, which identifies exactly which weights produced a run's numbers.
 *
 * @param file the file's name within the checkpoint
 * @param bytes its size
 * @param sha256 its SHA-256, lower-case hex
 */
public record WeightDigest(String file, long bytes, String sha256) {
    /** The Hugging Face cache stores each LFS file as {@code blobs/<sha256>} and links to it from the snapshot. */
    private static final Pattern HUB_BLOB_NAME = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER_BYTES = 1 << 20;

    /** Every weight file of a checkpoint directory ({@link CheckpointFiles#weightFiles}), hashed. */
    public static List<WeightDigest> ofCheckpoint(Path directory) {
        return CheckpointFiles.weightFiles(directory).stream().map(WeightDigest::of).toList();
    }

    /**
     * Hashes a file, or takes the hash from its name when it is a link into the hub cache's blobs (those names are
     * the content's SHA-256, so hashing gigabytes again would only repeat the hub's work).
     */
    public static WeightDigest of(Path file) {
        try {
            Path real = file.toRealPath();
            long size = Files.size(real);
            Path parent = real.getParent();
            String realName = real.getFileName().toString();
            if (Files.isSymbolicLink(file) && parent != null && parent.getFileName() != null
                    && parent.getFileName().toString().equals("blobs") && HUB_BLOB_NAME.matcher(realName).matches()) {
                return new WeightDigest(file.getFileName().toString(), size, realName);
            }
            return new WeightDigest(file.getFileName().toString(), size, sha256(real));
        } catch (IOException e) {
            throw new ArrakisException("cannot hash weight file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
