package com.example.consumer;

import io.quicheengine.QuicEngine;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds an engine the way an application does and exits non-zero unless the optimized libquiche
 * came from the platform jar, extracted into the (at start empty) cache that QUICHE_ENGINE_CACHE names.
 */
public final class ConsumerApp {
    private ConsumerApp() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Path.of(System.getenv("QUICHE_ENGINE_CACHE"));
        try (var entries = Files.exists(cache) ? Files.list(cache) : java.util.stream.Stream.<Path>empty()) {
            if (entries.anyMatch(p -> p.getFileName().toString().endsWith("-release"))) {
                fail("the cache " + cache + " holds an optimized build; this run must find none");
            }
        }
        QuicEngine.LibraryInfo library;
        try (QuicEngine engine = QuicEngine.builder().name("consumer").build()) {
            library = QuicEngine.library();
        }
        System.out.println("consumer: " + library);
        if (library.origin() != QuicEngine.LibraryInfo.Origin.PLATFORM_JAR || !library.buildKind().equals("release")) {
            fail("expected the release libquiche from the platform jar, got " + library);
        }
        if (!Path.of(library.path()).startsWith(cache)) {
            fail("the jar's library was extracted to " + library.path() + ", outside " + cache);
        }
        System.out.println("consumer: OK");
    }

    private static void fail(String why) {
        System.err.println("consumer: FAILED: " + why);
        System.exit(1);
    }
}
