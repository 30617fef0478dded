/**
 * The order-entry ping-pong benchmark: a client sends a 64-byte order on one stream, the server
 * answers each with a 32-byte ack, one order in flight, round trips recorded in an HdrHistogram.
 * The client's application logic runs in one of three {@link io.quicheengine.perf.orders.Placement}s
 * (the application's own thread driving an invoker-mode engine, listener callbacks on the engine's
 * loop thread, or an application thread beside the loop thread); the server is always a normal
 * engine answering from a listener on its loop thread. {@link io.quicheengine.perf.orders.OrdersMain}
 * runs the rows and writes the table and chart.
 */
package io.quicheengine.perf.orders;
