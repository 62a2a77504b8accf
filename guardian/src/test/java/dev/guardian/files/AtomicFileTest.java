package dev.guardian.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheFileWholeWithExactlyThePermissionsAskedAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("daemon.json");
        AtomicFile.write(f, "first".getBytes());
        assertThat(Files.readString(f)).isEqualTo("first");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        AtomicFile.write(f, "second".getBytes(), PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(Files.readString(f)).isEqualTo("second");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rwxr-x---");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void aWriteThatCannotBeCompletedLeavesTheTargetAsItWasAndNoTemporaryFile() throws IOException {
        Path target = Files.createDirectories(dir.resolve("a-directory"));
        Files.writeString(target.resolve("inside"), "kept");
        assertThatThrownBy(() -> AtomicFile.write(target, "x".getBytes())).isInstanceOf(IOException.class);
        assertThat(Files.readString(target.resolve("inside"))).isEqualTo("kept");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }
}
