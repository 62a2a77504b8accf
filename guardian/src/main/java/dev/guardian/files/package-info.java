/** Writing files so that a crash leaves the old contents or the new ones, never a torn file. */
package dev.guardian.files;
