/**
 * The quiche engine: a QUIC engine over Cloudflare quiche. Only {@code io.quicheengine} is API;
 * {@code io.quicheengine.internal.*} is the engine's own and not exported.
 *
 * <p>On the module path the engine needs native access for itself and its bindings, and Agrona
 * needs {@code jdk.internal.misc}:
 * {@code --enable-native-access=io.quicheengine.ffi,io.quicheengine.core
 * --add-exports java.base/jdk.internal.misc=org.agrona --sun-misc-unsafe-memory-access=allow}.
 */
module io.quicheengine.core {
    exports io.quicheengine;

    requires io.quicheengine.ffi;
    requires com.lmax.disruptor;
    // The API hands received bytes over as Agrona buffers (FragmentHandler, DatagramHandler).
    requires transitive org.agrona;
}
