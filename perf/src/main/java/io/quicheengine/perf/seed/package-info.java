/**
 * The seed project's two "before" designs, rebuilt in Java as baselines for the end-to-end
 * benchmarks (see {@code seed/LOCK_FREE_ARCHITECTURE.md}). Each is a small client and server QUIC
 * transport over real UDP on 127.0.0.1, calling libquiche through the ffm-bindings directly:
 * <ul>
 *   <li>{@link io.quicheengine.perf.seed.SeedGlobalLockSystem} ("seed-global-lock"): one recursive
 *       lock around the {@code quiche_conn}; application threads call {@code quiche_conn_stream_send}
 *       and {@code quiche_conn_stream_recv} themselves while holding it.</li>
 *   <li>{@link io.quicheengine.perf.seed.SeedQueueMutexSystem} ("seed-queue-mutex"): every quiche call
 *       on the event-loop thread; writes go through a mutex-guarded queue of commands that each own a
 *       copy of their bytes, reads come from per-stream growable buffers with their own lock.</li>
 * </ul>
 * Their costs (locks, per-command allocation, copies) are kept on purpose: they are what the engine
 * in {@code core} is measured against. Shared plumbing (configs, certificates, the UDP socket and
 * quiche connection, the selector loop, the workloads) lives in small package-private classes.
 */
package io.quicheengine.perf.seed;
