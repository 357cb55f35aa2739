package io.sockeye.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A {@link FileSystemAccess} that passes everything to another, for tests to change what it reports
 * ({@link #filter}) or to watch and hold up directory reads ({@link #names}).
 */
class FilterFileSystem implements FileSystemAccess {

    private final FileSystemAccess fs;

    FilterFileSystem(FileSystemAccess fs) {
        this.fs = fs;
    }

    /** @return what a stat reports; the stat itself by default */
    protected Stat filter(Stat s) {
        return s;
    }

    /** Opens a regular file; straight through by default. */
    protected FileChannel openFile(Entry e) throws IOException {
        return e.openFile();
    }

    /** Reads a directory's names; straight through by default. */
    protected void names(Directory d, Consumer<String> each) throws IOException {
        d.names(each);
    }

    @Override
    public Directory open(Path directory) throws IOException {
        return new FilteredDirectory(fs.open(directory));
    }

    @Override
    public Entry openBeneath(Directory root, String relative) throws IOException {
        Entry e = fs.openBeneath(((FilteredDirectory) root).d, relative);
        return e == null ? null : new FilteredEntry(e);
    }

    @Override
    public Object pathHandle(Path file) {
        return fs.pathHandle(file);
    }

    @Override
    public Stat stat(Object path) throws IOException {
        return filter(fs.stat(path));
    }


    @Override
    public boolean opensMayBlock() {
        return fs.opensMayBlock();
    }

    @Override
    public String name() {
        return "filtered " + fs.name();
    }

    private final class FilteredDirectory implements Directory {
        final Directory d;

        FilteredDirectory(Directory d) {
            this.d = d;
        }

        @Override
        public Stat stat() throws IOException {
            return filter(d.stat());
        }

        @Override
        public Entry entry(String name) throws IOException {
            Entry e = d.entry(name);
            return e == null ? null : new FilteredEntry(e);
        }

        @Override
        public Stat statAt(String name) throws IOException {
            return filter(d.statAt(name));
        }

        @Override
        public Directory parent() throws IOException {
            return new FilteredDirectory(d.parent());
        }

        @Override
        public void names(Consumer<String> each) throws IOException {
            FilterFileSystem.this.names(d, each);
        }

        @Override
        public void close() {
            d.close();
        }
    }

    private final class FilteredEntry implements Entry {
        final Entry e;

        FilteredEntry(Entry e) {
            this.e = e;
        }

        @Override
        public Stat stat() {
            return filter(e.stat());
        }

        @Override
        public String linkTarget() throws IOException {
            return e.linkTarget();
        }

        @Override
        public Directory openDirectory() throws IOException {
            return new FilteredDirectory(e.openDirectory());
        }

        @Override
        public FileChannel openFile() throws IOException {
            return FilterFileSystem.this.openFile(e);
        }

        @Override
        public void close() {
            e.close();
        }
    }
}
