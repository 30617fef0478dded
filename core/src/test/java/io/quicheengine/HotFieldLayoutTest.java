package io.quicheengine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Unsafe;
import org.junit.jupiter.api.Test;

/**
 * StreamState's layout levels really keep the fields application threads write on every offer
 * a cache line away from the fields the loop writes on every write, and both away from the
 * read-mostly fields everyone reads (and ConnectionState's writer credit from its other fields):
 * measured on this JVM's field offsets, so a reordered
 * hierarchy or a field moved to the wrong level fails here.
 */
class HotFieldLayoutTest {
    private static final int CACHE_LINE = 64;
    /** sun.misc.Unsafe only for its offsets (the suite runs with --sun-misc-unsafe-memory-access=allow). */
    private static final Unsafe UNSAFE = unsafe();

    @Test
    void applicationWrittenFieldsAreACacheLineFromLoopWrittenFields() {
        assertThat(gapBetween(StreamStateApplicationFields.class, StreamStateLoopFields.class))
                .as("bytes between the writers' fields and the loop's").isGreaterThanOrEqualTo(CACHE_LINE);
    }

    @Test
    void applicationWrittenFieldsAreACacheLineFromReadMostlyFields() {
        assertThat(gapBetween(StreamStateReadMostly.class, StreamStateApplicationFields.class))
                .as("bytes between the read-mostly fields and the writers'").isGreaterThanOrEqualTo(CACHE_LINE);
    }

    @Test
    void theConnectionsWriterCreditIsACacheLineFromItsOtherFields() {
        assertThat(gapBetween(ConnectionStateWriterCredit.class, ConnectionState.class))
                .as("bytes between the writers' connection credit and the connection's other fields").isGreaterThanOrEqualTo(CACHE_LINE);
    }

    @Test
    void theHotCountersLiveInTheirLevels() {
        assertThat(names(StreamStateApplicationFields.class)).contains("creditReserved", "finSubmitted", "readerState");
        assertThat(names(StreamStateLoopFields.class)).contains("bytesSent", "creditReturned", "bytesReceived");
        assertThat(names(StreamStateReadMostly.class)).contains("connection", "id", "writeBlocked", "stoppedCode");
    }

    /** The fewest bytes between the end of a field of one class and the start of a field of the other. */
    private static long gapBetween(Class<?> a, Class<?> b) {
        long gap = Long.MAX_VALUE;
        for (Field x : instanceFields(a)) {
            for (Field y : instanceFields(b)) {
                long ox = offset(x);
                long oy = offset(y);
                long between = ox < oy ? oy - (ox + size(x)) : ox - (oy + size(y));
                gap = Math.min(gap, between);
            }
        }
        return gap;
    }

    private static List<Field> instanceFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                fields.add(field);
            }
        }
        assertThat(fields).as("instance fields of " + type.getSimpleName()).isNotEmpty();
        return fields;
    }

    private static List<String> names(Class<?> type) {
        return instanceFields(type).stream().map(Field::getName).toList();
    }

    private static Unsafe unsafe() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("sun.misc.Unsafe is not reachable", e);
        }
    }

    @SuppressWarnings("removal")
    private static long offset(Field field) {
        return UNSAFE.objectFieldOffset(field);
    }

    private static long size(Field field) {
        Class<?> type = field.getType();
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        if (type == byte.class || type == boolean.class) {
            return 1;
        }
        return UNSAFE.arrayIndexScale(Object[].class); // a reference: 4 with compressed oops, else 8
    }
}
