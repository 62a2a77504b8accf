/**
 * Starting and controlling agent instances. {@link dev.guardian.process.Launcher} is the seam:
 * supervision and evolution see an {@link dev.guardian.process.AgentProcess} (streams, signals,
 * exit, resource usage), never a local PID, so that instances can later run as cluster pods. The
 * local implementation uses ProcessBuilder, {@code setsid} for a process group of its own, and JNA
 * for signals, prlimit caps and priority.
 */
package dev.guardian.process;
