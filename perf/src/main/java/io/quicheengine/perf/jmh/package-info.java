/**
 * JMH microbenchmarks of the engine's building blocks, run with
 * {@code java <engine flags> -cp 'perf/target/classes:perf/target/lib/*' org.openjdk.jmh.Main <name>}.
 */
package io.quicheengine.perf.jmh;
