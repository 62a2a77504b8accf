/**
 * The {@code guardian} command line (picocli): one class per subcommand, each a few lines that
 * parse arguments and hand off to domain code. Errors reach the user as one line and a named exit
 * code ({@link dev.guardian.cli.ExitCodes}) through {@code ErrorReporter}; nothing here holds
 * domain logic.
 */
package dev.guardian.cli;
