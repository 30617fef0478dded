package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The client's modes and pingpong against the tools' own server listener, in this JVM. */
class ClientModesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(Cli.Run run) throws Exception {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        return JSON.readTree(run.out());
    }

    @Test
    void uploadIsConfirmedByTheSinksByteCount() throws Exception {
        try (TestServer sink = new TestServer("perf", ServerMode.SINK)) {
            JsonNode result = json(Cli.run("client", sink.address(), "--alpn", "perf", "--mode", "upload", "--bytes", "3000001", "-P", "3",
                    "--ca", sink.ca(), "--server-name", "localhost", "--json"));

            assertThat(result.get("ok").asBoolean()).isTrue();
            assertThat(result.get("bytes_sent").asLong()).isEqualTo(3_000_001);
            assertThat(result.get("server_receipt").asLong()).isEqualTo(3_000_001);
            assertThat(result.get("streams").asInt()).isEqualTo(3);
            assertThat(result.get("packets").get("sent").asLong()).isPositive();
        }
    }

    @Test
    void bytesPerStreamGivesEveryStreamThatMany() throws Exception {
        try (TestServer sink = new TestServer("perf", ServerMode.SINK)) {
            JsonNode result = json(Cli.run("client", sink.address(), "--alpn", "perf", "--mode", "upload", "--bytes-per-stream", "100001",
                    "-P", "3", "--insecure", "--json"));

            assertThat(result.get("bytes_sent").asLong()).isEqualTo(300_003);
            assertThat(result.get("per_stream")).hasSize(3);
            for (JsonNode stream : result.get("per_stream")) {
                assertThat(stream.get("bytes_sent").asLong()).as(stream.toString()).isEqualTo(100_001);
                assertThat(stream.get("server_receipt").asLong()).as("what the sink counted on stream " + stream.get("id")).isEqualTo(100_001);
            }
        }
    }

    @Test
    void downloadGetsExactlyTheBytesAskedFor() throws Exception {
        try (TestServer source = new TestServer("perf", ServerMode.SOURCE)) {
            JsonNode counted = json(Cli.run("client", source.address(), "--alpn", "perf", "--mode", "download", "--bytes", "2M", "-P", "2",
                    "--insecure", "--json"));
            assertThat(counted.get("bytes_received").asLong()).isEqualTo(2_000_000);

            JsonNode timed = json(Cli.run("client", source.address(), "--alpn", "perf", "--mode", "download", "--duration", "500ms",
                    "--insecure", "--json"));
            assertThat(timed.get("ok").asBoolean()).isTrue();
            assertThat(timed.get("bytes_received").asLong()).isPositive();
            assertThat(timed.get("seconds").asDouble()).isBetween(0.4, 5.0);
        }
    }

    @Test
    void echoAtARatePrintsIntervalsAndVerifies() {
        try (TestServer echo = new TestServer("perf", ServerMode.ECHO)) {
            Cli.Run run = Cli.run("client", echo.address(), "--alpn", "perf", "--duration", "1200ms", "--rate", "1MB/s", "--insecure");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).containsPattern("\\[ 0\\.00- 1\\.\\d\\d\\] +[0-9.]+ [KM]B")
                    .containsPattern("\\[ 0\\.00- *\\d+\\.\\d\\d\\] .* total")
                    .containsPattern("OK: all \\d+ bytes came back intact");
        }
    }

    @Test
    void echoAgainstASourceServerIsCaughtAsWrongData() {
        try (TestServer source = new TestServer("perf", ServerMode.SOURCE)) {
            Cli.Run run = Cli.run("client", source.address(), "--alpn", "perf", "--bytes", "100K", "--insecure");

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).contains("FAILED: 1 stream went wrong");
        }
    }

    @Test
    void pingpongReportsPercentilesInMicroseconds() throws Exception {
        try (TestServer echo = new TestServer("perf", ServerMode.ECHO)) {
            JsonNode result = json(Cli.run("pingpong", echo.address(), "--alpn", "perf", "--count", "300", "--warmup", "50", "--insecure",
                    "--wait-strategy", "BACKOFF", "--json"));

            assertThat(result.get("count").asInt()).isEqualTo(300);
            double p50 = result.get("p50_micros").asDouble();
            assertThat(p50).isPositive();
            assertThat(result.get("p99_micros").asDouble()).isGreaterThanOrEqualTo(p50);
            assertThat(result.get("max_micros").asDouble()).isGreaterThanOrEqualTo(result.get("p999_micros").asDouble());

            Cli.Run text = Cli.run("pingpong", echo.address(), "--alpn", "perf", "--count", "100", "--warmup", "0", "--size", "1000", "--insecure");
            assertThat(text.exitCode()).as(text.toString()).isZero();
            assertThat(text.out()).containsPattern("latency us: min [0-9.]+ +p50 [0-9.]+ +p90 [0-9.]+ +p99 [0-9.]+ +p99\\.9 [0-9.]+ +max [0-9.]+");
        }
    }
}
