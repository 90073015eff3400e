package io.ctxflow.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class ContextCountsTest {

    static final long MINUTE = 60_000L;
    static final long WINDOW = 30 * MINUTE;

    final ContextCounts f = new ContextCounts();

    Row play(ContextCounts.Plays acc, String id, long ms, boolean family, boolean christmas) {
        f.accumulate(acc, id, ms, family, christmas, WINDOW);
        return f.getValue(acc);
    }

    @Test
    void countsThePlaysOfTheWindowEndingAtTheCurrentPlayEachOnce() {
        ContextCounts.Plays acc = f.createAccumulator();
        assertEquals(Row.of(1L, 1L, 0L), play(acc, "a", 0, true, false));
        assertEquals(Row.of(2L, 2L, 1L), play(acc, "b", MINUTE, true, true));
        // the same play again (a replay): counted once
        assertEquals(Row.of(2L, 2L, 1L), play(acc, "b", MINUTE, true, true));
        // exactly one window after the first play: the first one is out (the window is open at its start)
        assertEquals(Row.of(2L, 1L, 1L), play(acc, "c", WINDOW, false, false));
    }

    @Test
    void aPlayArrivingAgainAfterLaterOnesGetsItsFirstCounts() {
        ContextCounts.Plays acc = f.createAccumulator();
        play(acc, "a", 0, true, false);
        Row first = play(acc, "b", MINUTE, true, false);
        play(acc, "c", 2 * MINUTE, true, false);
        play(acc, "d", 3 * MINUTE, false, false);
        // b's copy, re-delivered after c and d: c and d are later than b, so outside b's window
        assertEquals(first, play(acc, "b", MINUTE, true, false));
    }

    @Test
    void copiesDoNotCountTwiceNorPushPlaysOut() {
        ContextCounts.Plays acc = f.createAccumulator();
        play(acc, "a", 0, true, false);
        Row first = play(acc, "b", MINUTE, true, false);
        for (int i = 0; i < 500; i++) {
            play(acc, "b", MINUTE, true, false); // a replayed copy, many times: one entry
        }
        assertEquals(2, acc.idPrints.length);
        assertEquals(first, play(acc, "b", MINUTE, true, false));
    }

    @Test
    void playsTwoWindowsOlderThanTheNewestAreDropped() {
        ContextCounts.Plays acc = f.createAccumulator();
        play(acc, "a", 0, true, false);
        play(acc, "b", WINDOW, false, false);
        assertEquals(2, acc.idPrints.length);
        assertEquals(Row.of(1L, 0L, 0L), play(acc, "c", 2 * WINDOW, false, false)); // a is dropped here
        assertEquals(2, acc.idPrints.length);
    }

    @Test
    void nullIdsOrTimesAreNotCounted() {
        ContextCounts.Plays acc = f.createAccumulator();
        f.accumulate(acc, null, 0L, true, false, WINDOW);
        f.accumulate(acc, "a", null, true, false, WINDOW);
        assertEquals(Row.of(0L, 0L, 0L), f.getValue(acc));
    }
}
