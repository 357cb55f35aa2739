package io.sockeye.cgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

import io.sockeye.HttpException;
import io.sockeye.Request;
import io.sockeye.RequestPaths;
import io.sockeye.Status;

/**
 * Which script a request names, and the rest of its path (RFC 3875 §3.3): walking the path's segments
 * under the script directory, the first that is a regular file is the script and what follows is
 * PATH_INFO. The directory is a jail as the docroot is: hidden segments, encoded separators and {@code ..}
 * above it are refused, and the script's real path must lie inside it.
 *
 * @param script     the script's file
 * @param scriptName the URL path naming it (decoded), for SCRIPT_NAME
 * @param pathInfo   the path after it (decoded), for PATH_INFO; empty if none
 */
record ScriptLocation(Path script, String scriptName, String pathInfo) {

    /**
     * @throws HttpException 404 if nothing is there, 403 for a directory, something that is not a regular
     *                       file, a file that is not executable, or a link out of the directory
     */
    static ScriptLocation find(Request request, Path directory, Path realDirectory) {
        List<String> segments = RequestPaths.jailedSegments(request, false);
        if (segments == null) throw new HttpException(Status.NOT_FOUND, "not found");
        Path p = directory;
        for (int i = 0; i < segments.size(); i++) {
            p = p.resolve(segments.get(i));
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class);
                if (!p.toRealPath().startsWith(realDirectory)) throw new HttpException(Status.FORBIDDEN, "not allowed");
            } catch (NoSuchFileException | NotDirectoryException e) {
                throw new HttpException(Status.NOT_FOUND, "not found");
            } catch (IOException e) {
                throw new HttpException(Status.FORBIDDEN, "not allowed");
            }
            if (a.isDirectory()) continue;
            if (!a.isRegularFile()) throw new HttpException(Status.FORBIDDEN, "not a script");
            if (!Files.isExecutable(p)) throw new HttpException(Status.FORBIDDEN, "script is not executable");
            StringBuilder name = new StringBuilder(request.mountPath());
            for (int k = 0; k <= i; k++) name.append('/').append(segments.get(k));
            StringBuilder info = new StringBuilder();
            for (int k = i + 1; k < segments.size(); k++) info.append('/').append(segments.get(k));
            if (request.path().endsWith("/")) info.append('/'); // "/script/" has PATH_INFO "/" 
            return new ScriptLocation(p, name.toString(), info.toString());
        }
        // the path names the directory itself, or a folder in it: say what belongs there
        String folder = request.path().endsWith("/") ? request.path() : request.path() + "/";
        throw new HttpException(Status.FORBIDDEN, folder + " is a folder of CGI scripts, which are run, not listed:"
                + " ask for a script in it, as " + folder + "NAME");
    }
}
