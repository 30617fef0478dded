/** The quic command line. (Arrives with its own issue.) */
package io.quicheengine.tools;
