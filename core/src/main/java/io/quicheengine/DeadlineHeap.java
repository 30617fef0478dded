package io.quicheengine;

import java.util.Arrays;

/**
 * A binary min-heap of connections ordered by {@link ConnectionState#timerDeadline} (compared as
 * {@code a - b}, so nanoTime wraparound is fine). Each connection knows its place
 * ({@link ConnectionState#timerIndex}, -1 when it is not in the heap), so a connection's timer is
 * moved or removed in O(log n) without a search. Loop thread only.
 */
final class DeadlineHeap {
    private ConnectionState[] heap = new ConnectionState[64];
    private int size;

    /** The connection with the earliest deadline, or null when none has a timer. */
    ConnectionState first() {
        return size == 0 ? null : heap[0];
    }

    int size() {
        return size;
    }

    /** Gives a connection without a timer one at {@code deadline}. */
    void add(ConnectionState connection, long deadline) {
        connection.timerDeadline = deadline;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = connection;
        connection.timerIndex = size;
        size++;
        siftUp(size - 1);
    }

    /** Moves a connection's timer to {@code deadline}. */
    void move(ConnectionState connection, long deadline) {
        long earlier = connection.timerDeadline - deadline;
        connection.timerDeadline = deadline;
        if (earlier > 0) {
            siftUp(connection.timerIndex);
        } else {
            siftDown(connection.timerIndex);
        }
    }

    /** Takes a connection's timer away. */
    void remove(ConnectionState connection) {
        removeAt(connection.timerIndex);
    }

    private void removeAt(int index) {
        ConnectionState removed = heap[index];
        removed.timerIndex = -1;
        size--;
        ConnectionState last = heap[size];
        heap[size] = null;
        if (index < size) {
            heap[index] = last;
            last.timerIndex = index;
            siftDown(index);
            if (heap[index] == last) {
                siftUp(index);
            }
        }
    }

    private void siftUp(int index) {
        ConnectionState moving = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            ConnectionState above = heap[parent];
            if (above.timerDeadline - moving.timerDeadline <= 0) {
                break;
            }
            heap[index] = above;
            above.timerIndex = index;
            index = parent;
        }
        heap[index] = moving;
        moving.timerIndex = index;
    }

    private void siftDown(int index) {
        ConnectionState moving = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].timerDeadline - heap[child].timerDeadline < 0) {
                child = right;
            }
            ConnectionState below = heap[child];
            if (moving.timerDeadline - below.timerDeadline <= 0) {
                break;
            }
            heap[index] = below;
            below.timerIndex = index;
            index = child;
        }
        heap[index] = moving;
        moving.timerIndex = index;
    }
}
