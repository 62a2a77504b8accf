package dev.guardian.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reader never throws, keeps memory bounded, and reports every bad line. */
class ProtocolReaderTest {

    private static final byte[] PING = "{\"type\":\"ping\",\"nonce\":1}\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void randomBytesNeverEscapeTheReaderAndEveryLineIsAccountedFor() {
        long seed = 20261123L;
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            byte[] bytes = new byte[random.nextInt(20_000)];
            random.nextBytes(bytes);
            int expectedLines = countNonBlankLines(bytes);
            List<Frame> frames = new ArrayList<>();
            assertThatCode(() -> frames.addAll(readAll(Codec.withMaxLineBytes(4096), bytes)))
                    .as("seed %d round %d", seed, round).doesNotThrowAnyException();
            assertThat(frames.get(frames.size() - 1)).isEqualTo(new Frame.Closed(null));
            assertThat(frames.size() - 1).as("seed %d round %d", seed, round).isEqualTo(expectedLines);
        }
    }

    @Test
    void everyTruncationOfAValidLineIsRejectedAndTheNextLineStillParses() {
        byte[] full = Codec.ofDefaults().encode(new Message.Request("r-1", 9,
                Codec.ofDefaults().mapper().createObjectNode().put("op", "learn").put("key", "ü"), false));
        for (int cut = 1; cut < full.length - 1; cut++) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.write(full, 0, cut);
            stream.write('\n');
            stream.write(PING, 0, PING.length);
            List<Frame> frames = readAll(Codec.ofDefaults(), stream.toByteArray());
            assertThat(frames).as("cut at %d", cut).hasSize(3);
            assertThat(frames.get(0)).as("cut at %d", cut).isInstanceOf(Frame.Rejected.class);
            assertThat(frames.get(1)).isEqualTo(new Frame.Received(new Message.Ping(1)));
        }
    }

    @Test
    void aTruncatedLastLineWithoutNewlineIsReported() {
        List<Frame> frames = readAll(Codec.ofDefaults(), "{\"type\":\"pi".getBytes(StandardCharsets.UTF_8));
        assertThat(frames).hasSize(2);
        assertThat(((Frame.Rejected) frames.get(0)).error().kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
    }

    @Test
    void invalidUtf8LinesAreEachReported() {
        byte[] bad = {'{', '"', 't', (byte) 0xFF, (byte) 0xFE, '"', ':', '1', '}', '\n'};
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            stream.write(bad, 0, bad.length);
            stream.write(PING, 0, PING.length);
        }
        List<Frame> frames = readAll(Codec.ofDefaults(), stream.toByteArray());
        assertThat(frames.stream().filter(f -> f instanceof Frame.Rejected)).hasSize(10);
        assertThat(frames.stream().filter(f -> f instanceof Frame.Received)).hasSize(10);
    }

    @Test
    void crlfLineEndsAndBlankLinesAreAccepted() {
        byte[] bytes = "\r\n  \n{\"type\":\"ping\",\"nonce\":1}\r\n\n".getBytes(StandardCharsets.UTF_8);
        assertThat(readAll(Codec.ofDefaults(), bytes))
                .containsExactly(new Frame.Received(new Message.Ping(1)), new Frame.Closed(null));
    }

    @Test
    void a100MegabyteLineIsSkippedWithBoundedMemoryAndTheNextLineParses() {
        long hundredMb = 100L * 1024 * 1024;
        int max = 1024 * 1024;
        InputStream stream = new SequenceInputStream(
                new SequenceInputStream(new RepeatingStream((byte) 'x', hundredMb), new ByteArrayInputStream(new byte[] {'\n'})),
                new ByteArrayInputStream(PING));
        ProtocolReader reader = Codec.withMaxLineBytes(max).reader(stream);
        Frame first = reader.next();
        assertThat(first).isInstanceOf(Frame.Rejected.class);
        ProtocolError e = ((Frame.Rejected) first).error();
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.LINE_TOO_LONG);
        assertThat(e.lineBytes()).isEqualTo(hundredMb);
        assertThat(e.detail()).isEqualTo("line of " + hundredMb + " bytes exceeds the maximum of " + max);
        assertThat(e.line()).startsWith("xxxx").hasSizeLessThanOrEqualTo(ProtocolError.QUOTE_BYTES + 1);
        // Held: at most the line limit plus one read chunk, never the line.
        assertThat(reader.retainedBytes()).isLessThanOrEqualTo(max + 64 * 1024);
        assertThat(reader.next()).isEqualTo(new Frame.Received(new Message.Ping(1)));
        assertThat(reader.next()).isEqualTo(new Frame.Closed(null));
    }

    @Test
    void aLineExactlyAtTheLimitIsReadAndOneByteMoreIsNot() {
        int max = 256;
        String padding = "{\"type\":\"ping\",\"nonce\":1,\"pad\":\"";
        String atLimit = padding + "p".repeat(max - padding.length() - 2) + "\"}";
        assertThat(atLimit.length()).isEqualTo(max);
        String overLimit = padding + "p".repeat(max - padding.length() - 1) + "\"}";
        List<Frame> frames = readAll(Codec.withMaxLineBytes(max),
                (atLimit + "\n" + overLimit + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(frames.get(0)).isEqualTo(new Frame.Received(new Message.Ping(1)));
        assertThat(((Frame.Rejected) frames.get(1)).error().kind()).isEqualTo(ProtocolError.Kind.LINE_TOO_LONG);
    }

    @Test
    void aLineTooLongTellsTheTypeAndIdAtItsStartWhenItShowsThem() {
        String blob = "b".repeat(5000);
        List<Frame> frames = readAll(Codec.withMaxLineBytes(1024), (
                "{\"type\":\"response\",\"id\":\"req-\\\"7\\\"\",\"ok\":true,\"payload\":{\"blob\":\"" + blob + "\"}}\n"
                + "{\"payload\":{\"id\":\"inner\",\"blob\":\"" + blob + "\"},\"type\":\"response\",\"id\":\"req-8\"}\n"
                + "{\"type\":\"response\",\"id\":\"" + "i".repeat(300) + "\",\"payload\":\"" + blob + "\"}\n"
                + "x".repeat(2000) + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(frames).hasSize(5).last().isEqualTo(new Frame.Closed(null));
        assertThat(frames.subList(0, 4)).allSatisfy(f -> assertThat(((Frame.Rejected) f).error().kind())
                .isEqualTo(ProtocolError.Kind.LINE_TOO_LONG));
        assertThat(((Frame.Rejected) frames.get(0)).error().lineStart())
                .isEqualTo(new ProtocolError.LineStart(true, "response", "req-\"7\""));
        assertThat(((Frame.Rejected) frames.get(1)).error().lineStart()).as("an id inside the payload is not the message's")
                .isEqualTo(new ProtocolError.LineStart(true, null, null));
        assertThat(((Frame.Rejected) frames.get(2)).error().lineStart()).as("an id cut by the quote is no id")
                .isEqualTo(new ProtocolError.LineStart(true, "response", null));
        assertThat(((Frame.Rejected) frames.get(3)).error().lineStart()).as("not JSON")
                .isEqualTo(new ProtocolError.LineStart(false, null, null));
    }

    @Test
    void aFailingStreamEndsReadingWithAReason() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("pipe broke");
            }
        };
        Frame f = Codec.ofDefaults().reader(broken).next();
        assertThat(f).isInstanceOf(Frame.Closed.class);
        assertThat(((Frame.Closed) f).reason()).contains("pipe broke");
    }

    private static List<Frame> readAll(Codec codec, byte[] bytes) {
        ProtocolReader reader = codec.reader(new ByteArrayInputStream(bytes));
        List<Frame> frames = new ArrayList<>();
        Frame f;
        do {
            f = reader.next();
            frames.add(f);
        } while (!(f instanceof Frame.Closed));
        return frames;
    }

    private static int countNonBlankLines(byte[] bytes) {
        int count = 0;
        boolean content = false;
        for (byte b : bytes) {
            if (b == '\n') {
                count += content ? 1 : 0;
                content = false;
            } else if (b != ' ' && b != '\t' && b != '\r') {
                content = true;
            }
        }
        return count + (content ? 1 : 0);
    }

    /** {@code length} copies of one byte, generated as read: the test itself must not hold 100 MB. */
    private static final class RepeatingStream extends InputStream {
        private final byte value;
        private long left;

        RepeatingStream(byte value, long length) {
            this.value = value;
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return value;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, value);
            left -= n;
            return n;
        }
    }
}
