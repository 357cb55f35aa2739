package io.sockeye.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Usage errors said as the user needs them: an unknown option is named as such, with the nearest real
 * one suggested ("unknown option '--cros' (did you mean --cors?)"), rather than picocli's guess at what
 * came after it, and a number option's complaint says "whole number", not "int".
 */
final class UsageErrors {

    private UsageErrors() {
    }

    /** @return the one-line message for a command line picocli refused */
    static String message(CommandLine.ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> args = unmatched.getUnmatched();
            for (String arg : args) {
                if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) return unknownOption(arg, spec);
            }
            if (!args.isEmpty()) {
                return "too many arguments: '" + String.join(" ", args)
                        + "' (give at most a directory and a port; options start with '-')";
            }
        }
        String m = e.getMessage();
        return m == null ? "bad command line" : m.replace("is not an int", "is not a whole number")
                .replace("is not a long", "is not a whole number");
    }

    private static boolean isNumber(String arg) {
        return arg.length() > 1 && arg.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** @return "unknown option '--x'", and the option meant if one is near enough */
    static String unknownOption(String arg, CommandSpec spec) {
        String name = arg;
        int eq = name.indexOf('=');
        if (eq > 0) name = name.substring(0, eq); // --x=value: the option is --x
        String nearest = nearest(name, spec);
        return "unknown option '" + name + "'" + (nearest == null ? "" : " (did you mean " + nearest + "?)");
    }

    /** @return the option name closest to {@code typed}, or {@code null} when none is close */
    static String nearest(String typed, CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden()) names.addAll(List.of(o.names()));
        }
        String bare = typed.replaceFirst("^-+", "");
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            String nBare = n.replaceFirst("^-+", "");
            if (nBare.length() < 2) continue; // a one-letter name is near everything
            int d = distance(bare, nBare);
            // a longer spelling of an option (--port-number for --port) counts as near
            if (bare.startsWith(nBare + "-") || nBare.startsWith(bare) && bare.length() >= 3) d = Math.min(d, 1);
            if (d < bestDistance) {
                bestDistance = d;
                best = n.startsWith("--") || n.length() > 2 ? n : "--" + nBare;
            }
        }
        int allowed = Math.max(1, Math.min(3, bare.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    /** The Damerau-Levenshtein (optimal string alignment) distance: typos, and two letters swapped. */
    static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) return Integer.MAX_VALUE; // not a typo of any option
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
