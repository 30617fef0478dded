package io.quicheengine.tools;

import io.quicheengine.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;

/** Removes a {@link SelfSignedCertificate}'s files and directory once a command is done. Stateless; any thread. */
final class SelfSignedFiles {
    private SelfSignedFiles() {
    }

    static void delete(SelfSignedCertificate certificate) {
        try {
            Files.deleteIfExists(certificate.certificate());
            Files.deleteIfExists(certificate.privateKey());
            Files.deleteIfExists(certificate.certificate().getParent());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
