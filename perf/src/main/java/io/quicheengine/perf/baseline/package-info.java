/**
 * The limits our engine is measured against: raw quiche with packets handed over in memory (what
 * quiche itself costs on one thread) and plain UDP on 127.0.0.1 (what the kernel costs). Each
 * baseline has a {@code main} that prints its figures.
 */
package io.quicheengine.perf.baseline;
