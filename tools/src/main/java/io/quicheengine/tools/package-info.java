/**
 * The {@code quic} command line: {@code demo}, {@code server}, {@code client} and {@code pingpong},
 * built on nothing but {@code core}'s public API. {@link io.quicheengine.tools.QuicMain} is the entry
 * point; the {@code ./quic} launcher at the repository root runs it with the JVM flags the engine needs.
 */
package io.quicheengine.tools;
