package io.ctxflow.udf;

import java.util.Arrays;

import org.apache.flink.table.functions.AggregateFunction;

/**
 * {@code ctx_first_copy(id, event_ms, horizon_ms) OVER (PARTITION BY user_id ORDER BY proc_time ROWS
 * BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)}: TRUE for the first copy of each id among the partition's
 * rows, FALSE for a copy that arrives again.
 *
 * <p>Why: the contract job writes its typed topics at least once, so after a restart it writes again what
 * came after its last checkpoint. ad_decisions joins each request with the versions in effect at the
 * request's time (event-time temporal joins), and such a join keeps only the versions its watermark still
 * needs: a copy arriving after the join has moved past its time would be decided against versions that are
 * gone, and served a different ad than the first copy. The first copy is the one decided.
 *
 * <p>The accumulator keeps the ids of the partition's rows of the last {@code horizon_ms} of event time (by
 * the newest row seen), so its size follows one user's requests over the horizon, not a TTL on every id the
 * job ever saw. A copy arriving more than the horizon after newer rows of its user counts as a first copy
 * again: the horizon must exceed how long a restarted contract job takes to write its copies (its
 * checkpoint interval plus its recovery). Register per SQL session: {@code CREATE TEMPORARY SYSTEM FUNCTION
 * IF NOT EXISTS ctx_first_copy AS 'io.ctxflow.udf.FirstCopy' LANGUAGE JAVA}. Ids are kept as 64-bit prints
 * ({@link IdPrints} says why).
 */
public class FirstCopy extends AggregateFunction<Boolean, FirstCopy.Seen> {

    private static final long serialVersionUID = 1L;

    /** The kept ids' prints with their times, oldest first (types Flink serializes natively, no Kryo). */
    public static class Seen {
        public long[] idPrints = new long[0];
        public long[] times = new long[0];
        /** The newest row's time: what the kept ids are measured against. */
        public long newestMs = Long.MIN_VALUE;
        /** The answer for the row accumulated last. */
        public boolean lastWasFirst;
    }

    @Override
    public Seen createAccumulator() {
        return new Seen();
    }

    public void accumulate(Seen acc, String id, Long eventMs, Long horizonMs) {
        if (id == null || eventMs == null) {
            acc.lastWasFirst = true; // nothing to recognise it by: never dropped
            return;
        }
        long print = IdPrints.of(id);
        acc.lastWasFirst = !IdPrints.contains(acc.idPrints, print);
        if (!acc.lastWasFirst) {
            return;
        }
        int n = acc.idPrints.length;
        acc.idPrints = Arrays.copyOf(acc.idPrints, n + 1);
        acc.times = Arrays.copyOf(acc.times, n + 1);
        acc.idPrints[n] = print;
        acc.times[n] = eventMs;
        if (eventMs > acc.newestMs) {
            acc.newestMs = eventMs;
            forgetOlderThan(acc, eventMs - (horizonMs == null ? 0 : horizonMs));
        }
    }

    /** Keeps the ids newer than {@code keepAfter}, in one pass. */
    private static void forgetOlderThan(Seen acc, long keepAfter) {
        int kept = 0;
        for (int i = 0; i < acc.idPrints.length; i++) {
            if (acc.times[i] > keepAfter) {
                acc.idPrints[kept] = acc.idPrints[i];
                acc.times[kept] = acc.times[i];
                kept++;
            }
        }
        if (kept < acc.idPrints.length) {
            acc.idPrints = Arrays.copyOf(acc.idPrints, kept);
            acc.times = Arrays.copyOf(acc.times, kept);
        }
    }

    @Override
    public Boolean getValue(Seen acc) {
        return acc.lastWasFirst;
    }
}
