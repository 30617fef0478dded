/**
 * Our engine under the end-to-end benchmarks: {@link io.quicheengine.perf.engine.EngineSystem}
 * drives bulk, ping-pong and seed runs over real UDP on 127.0.0.1 through core's public API only,
 * with the transport parameters every compared system uses; {@link io.quicheengine.perf.engine.EngineServerMain}
 * runs the server side alone for two-process runs. Its bulk and ping-pong clients run either as
 * listeners on the client engine's loop thread ({@link io.quicheengine.perf.engine.ClientThreading#LOOP},
 * Netty's threading model) or on an application thread beside it
 * ({@link io.quicheengine.perf.engine.ClientThreading#APP_THREAD}).
 */
package io.quicheengine.perf.engine;
