package io.sockeye.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Options from the environment, for containers and service managers that configure programs that way:
 * each option {@code --some-flag} also reads {@code SOCKEYE_SOME_FLAG}, and the port also reads
 * {@code PORT}, as Heroku, Cloud Run and the like set it. An option given on the command line wins over
 * its variable, and {@code SOCKEYE_PORT} over {@code PORT}.
 *
 * <p>Worked out from picocli's model of the command, not from a list: an option added later gets its
 * variable without a line here. The variable's value becomes arguments of the option and goes through the
 * same parsing and checks as the command line (each variable on its own first, so that an error names
 * it): a flag's variable is {@code 1}, {@code true}, {@code yes} or {@code on} to set it (or {@code 0},
 * {@code false}, {@code no}, {@code off}, empty to leave it unset); a repeatable option's variable holds its
 * values separated by commas, or by newlines when the value has one (for values with commas in them).
 */
final class EnvironmentOptions {

    /** What container platforms set for the port to listen on. */
    static final String PLATFORM_PORT = "PORT";

    /** A variable whose value the options do not accept. */
    static final class BadVariable extends Exception {
        BadVariable(String message) {
            super(message, null, false, false);
        }
    }

    private EnvironmentOptions() {
    }

    /** @return the variable read for an option: its first long name, upper case, dashes as underscores */
    static String variable(OptionSpec option) {
        String name = option.longestName();
        for (String n : option.names()) {
            if (n.startsWith("--")) {
                name = n;
                break;
            }
        }
        return "SOCKEYE_" + name.replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * Adds the environment's options to a command line: when a variable applies, the command is parsed
     * again with its arguments before the command line's.
     *
     * @param cl                the command, which has just parsed {@code args}
     * @param args              the command line
     * @param givenByPositional whether the command line gave an option's value as a positional argument
     *                          (the port, the directory), which counts as giving the option
     * @param env               the environment
     * @throws BadVariable                   naming the variable, if one's value is not accepted
     * @throws CommandLine.ParameterException if the variables and the command line do not go together
     */
    static void apply(CommandLine cl, String[] args, Predicate<OptionSpec> givenByPositional, Map<String, String> env)
            throws BadVariable {
        if (env.isEmpty()) return;
        List<String> extra = arguments(cl, cl.getParseResult(), givenByPositional, env);
        if (extra == null) return; // nothing applied, nothing parsed: the command line's parse stands
        extra.addAll(List.of(args));
        cl.parseArgs(extra.toArray(String[]::new));
    }

    /** @return the arguments the environment adds, or {@code null} if no variable was read (nothing parsed) */
    private static List<String> arguments(CommandLine cl, ParseResult parsed, Predicate<OptionSpec> givenByPositional,
                                          Map<String, String> env) throws BadVariable {
        List<String> all = null;
        // which options the command line gave, asked before parsing again replaces what it parsed
        List<OptionSpec> open = new ArrayList<>();
        for (OptionSpec option : cl.getCommandSpec().options()) {
            if (!parsed.hasMatchedOption(option) && !givenByPositional.test(option)) open.add(option);
        }
        for (OptionSpec option : open) {
            if (option.usageHelp() || option.versionHelp() || option.hidden()) continue;
            String name = variable(option);
            String value = env.get(name);
            if (value == null && name.equals("SOCKEYE_PORT")) {
                name = PLATFORM_PORT;
                value = env.get(name);
            }
            if (value == null) continue;
            List<String> args = argumentsFor(option, name, value.strip());
            if (all == null) all = new ArrayList<>(); // from here on the command line is to be parsed again
            try {
                cl.parseArgs(args.toArray(String[]::new)); // alone, so that an error is this variable's
            } catch (CommandLine.ParameterException e) {
                throw new BadVariable(name + ": " + UsageErrors.message(e));
            }
            all.addAll(args);
        }
        return all;
    }

    private static List<String> argumentsFor(OptionSpec option, String name, String value) throws BadVariable {
        String flag = option.longestName();
        List<String> args = new ArrayList<>();
        if (option.arity().max() == 0) { // a flag
            switch (value.toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on" -> args.add(flag);
                case "0", "false", "no", "off", "" -> { }
                default -> throw new BadVariable(name + " is a yes-or-no setting (1, true, yes or 0, false, no), not '" + value + "'");
            }
            return args;
        }
        if (option.isMultiValue()) {
            for (String v : value.split(value.indexOf('\n') >= 0 ? "\r?\n" : ",")) {
                if (v.isBlank()) continue;
                args.add(flag + "=" + v.strip());
            }
            return args;
        }
        if (value.isEmpty()) throw new BadVariable(name + " is set but empty");
        args.add(flag + "=" + value);
        return args;
    }
}
