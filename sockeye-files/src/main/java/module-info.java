/** Static files for Sockeye: {@link io.sockeye.files.FileHandler} serves a directory. */
module io.sockeye.files {
    requires io.sockeye;

    exports io.sockeye.files;
}
