package io.quicheengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void shortDemoEchoesEveryByteAndPrintsTheSeedSummary() {
        Cli.Run run = Cli.run("demo", "--duration", "1");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        assertThat(run.out()).contains("uploads 200.0 KB at 200.0 KB/s for 1 s on 1 stream in 1000-byte messages")
                .containsPattern("\\[ +1\\.\\d s\\] +sent +[0-9.]+ KB +echoed +[0-9.]+ KB +rate +[0-9.]+ Mbit/s +rtt +[0-9.]+ [um]s"
                        + " +cwnd +[0-9.]+ K?B +packets sent +\\d+ received +\\d+ lost \\d+")
                .containsPattern("Throughput +peak [0-9.]+ Mbit/s, avg [0-9.]+ Mbit/s")
                .containsPattern("Delivery rate +peak [0-9.]+ [MG]bit/s")
                .containsPattern("RTT +min [0-9.]+ [um]s, avg [0-9.]+ [um]s, max [0-9.]+ [um]s")
                .containsPattern("CWND +max [0-9.]+ K?M?B")
                .containsPattern("Packets +sent [1-9]\\d*, received [1-9]\\d*, lost \\d+")
                .contains("Completion     100% (200000 of 200000 bytes echoed intact")
                .contains("PASS");
    }

    @Test
    void severalStreamsShareTheRateAndTheTotal() {
        Cli.Run run = Cli.run("demo", "--duration", "500ms", "--rate", "2MB/s", "--streams", "3", "--message-size", "1500",
                "--wait-strategy", "backoff");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("uploads 1.00 MB at 2.00 MB/s for 500 ms on 3 streams in 1500-byte messages")
                .contains("100% (1000000 of 1000000 bytes echoed intact");
    }
}
