package io.quicheengine.tools;

/**
 * A JVM that makes a temporary certificate, prints its files' paths and exits without deleting
 * anything itself, so a test can check that the exit removed them. Test-only; main thread.
 */
final class CertificateChild {
    private CertificateChild() {
    }

    public static void main(String[] args) {
        SelfSignedCertificate certificate = SelfSignedCertificate.generate();
        System.out.println(certificate.certificate());
        System.out.println(certificate.privateKey());
        System.out.flush();
    }
}
