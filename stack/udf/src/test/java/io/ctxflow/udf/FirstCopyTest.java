package io.ctxflow.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FirstCopyTest {

    static final long MINUTE = 60_000L;
    static final long HORIZON = 10 * MINUTE;

    final FirstCopy f = new FirstCopy();

    boolean arrive(FirstCopy.Seen acc, String id, long ms) {
        f.accumulate(acc, id, ms, HORIZON);
        return f.getValue(acc);
    }

    @Test
    void onlyTheFirstCopyOfAnIdIsFirst() {
        FirstCopy.Seen acc = f.createAccumulator();
        assertTrue(arrive(acc, "r1", 0));
        assertTrue(arrive(acc, "r2", MINUTE));
        // the contract job's replay writes r1 again after r2: a copy
        assertFalse(arrive(acc, "r1", 0));
        assertFalse(arrive(acc, "r2", MINUTE));
        assertTrue(arrive(acc, "r3", 2 * MINUTE));
    }

    @Test
    void aLateRequestNeverSeenBeforeIsFirst() {
        FirstCopy.Seen acc = f.createAccumulator();
        arrive(acc, "r2", 5 * MINUTE);
        assertTrue(arrive(acc, "r1", MINUTE)); // out of order, but new: decided
    }

    @Test
    void idsOlderThanTheHorizonBehindTheNewestAreForgotten() {
        FirstCopy.Seen acc = f.createAccumulator();
        arrive(acc, "r1", 0);
        arrive(acc, "r2", HORIZON);
        assertEquals(1, acc.idPrints.length); // r1 is exactly one horizon older: gone
        assertTrue(arrive(acc, "r1", 0)); // beyond the horizon a copy cannot be recognised
        assertFalse(arrive(acc, "r2", HORIZON));
    }

    @Test
    void aRowWithoutIdIsNeverDropped() {
        FirstCopy.Seen acc = f.createAccumulator();
        assertTrue(arrive(acc, null, 0));
        assertTrue(arrive(acc, null, 0));
    }
}
