/** JMH and end-to-end benchmarks, baselines and reports. (Arrives with its own issue.) */
package io.quicheengine.perf;
