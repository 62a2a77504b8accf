package dev.guardian.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.guardian.supervision.RestartType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads a {@link GuardianConfig} from YAML. Keys are snake_case; an unknown key, a value of the
 * wrong kind or a value a record refuses becomes one {@link ConfigException} line naming the file,
 * the key and the value.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = mapper();

    private static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // keep_last: 2.7 is a mistake, not 2; and a key given twice is one of them lost, silently.
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .registerModule(new SimpleModule()
                        .addDeserializer(Duration.class, new DurationDeserializer())
                        .addDeserializer(RestartType.class, new RestartTypeDeserializer()));
        // A number where a switch is expected (standby: 3) is a mistake, not "true".
        m.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Boolean)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        return m;
    }

    private ConfigLoader() {
    }

    public static GuardianConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static GuardianConfig parse(String yaml, String source) {
        if (yaml.isBlank()) {
            throw new ConfigException(source + ": the file is empty; agent.command is required");
        }
        try {
            GuardianConfig config = YAML.readValue(yaml, GuardianConfig.class);
            if (config == null) {
                throw new ConfigException(source + ": the file is empty; agent.command is required");
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(source + ": unknown key '" + path(e) + "' (known here: " + known + ")");
        } catch (ValueInstantiationException e) {
            // Records name their own keys; a value type (size, address) does not know its key.
            String message = (e.getCause() != null ? e.getCause() : e).getMessage();
            String key = path(e);
            boolean named = key.isEmpty() || message.contains(key.substring(key.lastIndexOf('.') + 1));
            throw new ConfigException(source + ": " + (named ? "" : key + ": ") + message);
        } catch (InvalidFormatException e) {
            throw new ConfigException(source + ": " + path(e) + ": " + rootMessage(e) + " (value: " + e.getValue() + ")");
        } catch (JsonMappingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof com.fasterxml.jackson.core.JsonParseException parse) {
                    throw notYaml(source, parse);
                }
            }
            throw new ConfigException(source + ": " + (e.getPath().isEmpty() ? "" : path(e) + ": ") + rootMessage(e));
        } catch (JacksonException e) {
            throw notYaml(source, e);
        }
    }

    private static ConfigException notYaml(String source, JacksonException e) {
        String m = e.getOriginalMessage();
        int nl = m == null ? -1 : m.indexOf('\n');
        return new ConfigException(source + ": not valid YAML: " + (nl >= 0 ? m.substring(0, nl) : m)
                + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : ""));
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() > 0 ? "." : "").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String rootMessage(JsonMappingException e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t instanceof JsonMappingException j ? j.getOriginalMessage() : t.getMessage();
        int nl = m == null ? -1 : m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, Duration.class);
            }
        }
    }

    private static final class RestartTypeDeserializer extends StdScalarDeserializer<RestartType> {
        private static final long serialVersionUID = 1L;

        RestartTypeDeserializer() {
            super(RestartType.class);
        }

        @Override
        public RestartType deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return RestartType.valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw InvalidFormatException.from(p, "must be permanent, transient or temporary", text, RestartType.class);
            }
        }
    }
}
