/**
 * HTTP endpoints as plain functions ({@link dev.guardian.http.HttpApi}: a request in, a future
 * reply out) and the one server adapter that hosts them. Keeping the endpoints independent of the
 * server library means the library (chosen by measurement, see BENCHMARKS.md) is one class.
 */
package dev.guardian.http;
