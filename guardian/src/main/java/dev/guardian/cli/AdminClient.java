package dev.guardian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.daemon.DataDirectory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Talks to a running daemon's admin API, found through its data directory. */
public final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataDirectory dir;
    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AdminClient(DataDirectory dir, String base, String token) {
        this.dir = dir;
        this.base = base;
        this.token = token;
    }

    /** The daemon that holds {@code dataDir}; a clear UNAVAILABLE error when none does. */
    public static AdminClient forDataDir(Path dataDir) {
        DataDirectory dir = new DataDirectory(dataDir);
        if (!Files.isDirectory(dir.root())) {
            // A missing data directory is an unavailable resource (exit 4), as for every command (README).
            throw CliException.unavailable("no data directory " + dir.root(), null);
        }
        if (!Files.exists(dir.daemonFile()) || !dir.inUse()) {
            throw CliException.unavailable("no guardian daemon is running on " + dir.root(), null);
        }
        try {
            JsonNode info = JSON.readTree(dir.daemonFile().toFile());
            return new AdminClient(dir, "http://" + info.path("admin").asText(), dir.readToken());
        } catch (IOException e) {
            throw CliException.unavailable("cannot reach the daemon on " + dir.root() + ": " + e.getMessage(), e);
        }
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public JsonNode post(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public JsonNode post(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    DataDirectory dataDirectory() {
        return dir;
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = http.send(request.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                int code = switch (r.statusCode()) {
                    case 400 -> ExitCodes.BAD_INPUT;
                    case 404 -> ExitCodes.NOT_FOUND;
                    case 409 -> ExitCodes.CHECK_FAILED;
                    default -> ExitCodes.UNAVAILABLE;
                };
                throw new CliException(code, "the daemon answered " + r.statusCode() + ": "
                        + body.path("error").path("message").asText(new String(r.body())));
            }
            return body;
        } catch (ConnectException e) {
            throw CliException.unavailable("the daemon on " + dir.root() + " does not answer at " + base, e);
        } catch (IOException e) {
            throw CliException.unavailable("talking to the daemon at " + base + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unavailable("interrupted", e);
        }
    }
}
