package io.sockeye.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@link FileSystemAccess} that {@link NativeFiles#chosen()} picks, picked on first use rather than when
 * a handler is built: picking the native one links its foreign calls, which costs a tenth of a second or
 * more (the JVM generates their stubs at run time), and a server should be listening before it pays that.
 * Every call goes to the chosen access, so everything this returns and takes back is that access's own.
 */
final class DeferredFileSystemAccess implements FileSystemAccess {

    @Override
    public Directory open(Path directory) throws IOException {
        return NativeFiles.chosen().open(directory);
    }

    @Override
    public Entry openBeneath(Directory root, String relative) throws IOException {
        return NativeFiles.chosen().openBeneath(root, relative);
    }

    @Override
    public Object pathHandle(Path file) {
        return NativeFiles.chosen().pathHandle(file);
    }

    @Override
    public Stat stat(Object path) throws IOException {
        return NativeFiles.chosen().stat(path);
    }

    @Override
    public boolean unchanged(Object path, Stat known) {
        return NativeFiles.chosen().unchanged(path, known);
    }

    @Override
    public boolean opensMayBlock() {
        return NativeFiles.chosen().opensMayBlock();
    }

    @Override
    public String name() {
        return NativeFiles.chosen().name();
    }
}
