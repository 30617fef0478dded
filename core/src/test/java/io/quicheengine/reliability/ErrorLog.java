package io.quicheengine.reliability;

import io.quicheengine.ErrorHandler;
import io.quicheengine.QuicConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An engine {@link ErrorHandler} that keeps every report, so a test can assert that none (or only
 * the expected ones) arrived. Called on loop threads; read by the test thread.
 */
final class ErrorLog implements ErrorHandler {
    /** One report: what the engine passed to the handler. */
    record Report(String engine, QuicConnection connection, String context, Throwable error) {
        @Override
        public String toString() {
            return engine + ": " + context + (connection == null ? "" : " on " + connection)
                    + (error == null ? "" : " -> " + error);
        }
    }

    private final String engine;
    private final List<Report> reports;

    private ErrorLog(String engine, List<Report> reports) {
        this.engine = engine;
        this.reports = reports;
    }

    ErrorLog() {
        this("engine", new CopyOnWriteArrayList<>());
    }

    /** A handler for one engine that records into this log under {@code engineName}. */
    ErrorLog forEngine(String engineName) {
        return new ErrorLog(engineName, reports);
    }

    @Override
    public void onError(QuicConnection connection, String context, Throwable error) {
        Report report = new Report(engine, connection, context, error);
        reports.add(report);
        // In the test's output too: when an assertion fails later, the cause is on record.
        System.err.println("engine error reported: " + report);
        if (error != null) {
            error.printStackTrace();
        }
    }

    List<Report> all() {
        return List.copyOf(reports);
    }

    /** The reports that {@code expected} does not accept. */
    List<Report> unexpected(Predicate<Report> expected) {
        return reports.stream().filter(expected.negate()).toList();
    }

    void clear() {
        reports.clear();
    }
}
