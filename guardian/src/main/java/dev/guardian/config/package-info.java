/**
 * The daemon's configuration: immutable records validated at construction (each message names the
 * key and the value), read from YAML by {@link dev.guardian.config.ConfigLoader}, where an unknown
 * key is an error that names it. Defaults live in each record's {@code ofDefaults()}.
 */
package dev.guardian.config;
