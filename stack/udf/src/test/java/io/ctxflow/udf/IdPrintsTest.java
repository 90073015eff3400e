package io.ctxflow.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IdPrintsTest {

    @Test
    void theSameIdAlwaysHasTheSamePrint() {
        assertEquals(IdPrints.of("run-1-42"), IdPrints.of(new String("run-1-42")));
    }

    @Test
    void idsThatDifferInOneCharacterHaveDistinctPrints() {
        // the ids our producers write: a run prefix and a counter, so neighbours differ in their last digits
        Set<Long> prints = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            assertTrue(prints.add(IdPrints.of("1764941234-" + i)), "collision at " + i);
        }
    }

    @Test
    void containsFindsOnlyKeptPrints() {
        long[] kept = {IdPrints.of("a"), IdPrints.of("b")};
        assertTrue(IdPrints.contains(kept, IdPrints.of("b")));
        assertFalse(IdPrints.contains(kept, IdPrints.of("c")));
        assertFalse(IdPrints.contains(new long[0], IdPrints.of("a")));
    }
}
