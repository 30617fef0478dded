/** The engine: event loop, command ring, read rings, connections, streams, server. (Arrives with its own issue.) */
package io.quicheengine.core;
