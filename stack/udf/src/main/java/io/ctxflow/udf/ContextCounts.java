package io.ctxflow.udf;

import java.util.Arrays;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.types.Row;

/**
 * {@code ctx_context_counts(event_id, event_ms, is_family, is_christmas, window_ms) OVER (PARTITION BY
 * user_id ORDER BY proc_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)}: the listening context
 * after each play, counted over the user's plays whose own time lies in the window that ends at the
 * current play's time, {@code (event_ms - window_ms, event_ms]}, each play once by its event id.
 *
 * <p>Why not {@code COUNT(DISTINCT ...) OVER (... RANGE BETWEEN INTERVAL ... PRECEDING)} on arrival time:
 * a RANGE frame includes the current row's peers, every play of the user that arrived in the same
 * millisecond, so a play's context depended on how fast the job read (in a catch-up after a fault, many
 * of a user's plays share a millisecond and each counted the later ones). Here the answer depends only on
 * the order of the plays in the topic and their own times. A copy of a play that arrives again (the
 * contract job writes its plays at least once) is not added twice and gets its first counts again: the
 * plays that came after it have later times and fall outside its window. Plays are known by their ids'
 * 64-bit prints ({@link IdPrints} says why).
 *
 * <p>The accumulator keeps the plays of the last two windows of event time (by the newest play seen),
 * so its size follows the user's plays per hour, not how many copies arrived; a copy arriving more than
 * one window after newer plays would find its oldest peers gone. Register per SQL session:
 * {@code CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ctx_context_counts AS
 * 'io.ctxflow.udf.ContextCounts' LANGUAGE JAVA}.
 */
@FunctionHint(output = @DataTypeHint("ROW<recent_plays BIGINT, family_plays BIGINT, christmas_plays BIGINT>"))
public class ContextCounts extends AggregateFunction<Row, ContextCounts.Plays> {

    private static final long serialVersionUID = 1L;

    /**
     * The kept plays, oldest first, as parallel arrays (types Flink serializes natively, no Kryo),
     * and the window of the last call (a literal, the same each time).
     */
    public static class Plays {
        public long[] idPrints = new long[0];
        public long[] times = new long[0];
        public boolean[] family = new boolean[0];
        public boolean[] christmas = new boolean[0];
        public long windowMs;
        /** The time of the play being answered (the last one accumulated, a copy too). */
        public long currentMs;
        /** The newest play's time: what the kept plays are measured against. */
        public long newestMs = Long.MIN_VALUE;

        /** Drops the plays older than two windows before the newest one, in one pass: no later answer needs them. */
        void evict() {
            long keepAfter = newestMs - 2 * windowMs;
            int kept = 0;
            for (int i = 0; i < idPrints.length; i++) {
                if (times[i] > keepAfter) {
                    idPrints[kept] = idPrints[i];
                    times[kept] = times[i];
                    family[kept] = family[i];
                    christmas[kept] = christmas[i];
                    kept++;
                }
            }
            if (kept < idPrints.length) {
                idPrints = Arrays.copyOf(idPrints, kept);
                times = Arrays.copyOf(times, kept);
                family = Arrays.copyOf(family, kept);
                christmas = Arrays.copyOf(christmas, kept);
            }
        }

        void add(long idPrint, long time, boolean isFamily, boolean isChristmas) {
            int n = idPrints.length;
            idPrints = Arrays.copyOf(idPrints, n + 1);
            times = Arrays.copyOf(times, n + 1);
            family = Arrays.copyOf(family, n + 1);
            christmas = Arrays.copyOf(christmas, n + 1);
            idPrints[n] = idPrint;
            times[n] = time;
            family[n] = isFamily;
            christmas[n] = isChristmas;
        }
    }

    @Override
    public Plays createAccumulator() {
        return new Plays();
    }

    public void accumulate(Plays acc, String eventId, Long eventMs, Boolean family, Boolean christmas,
            Long windowMs) {
        if (eventId == null || eventMs == null) {
            return; // the contract layer never lets such a play through; nothing to count
        }
        acc.windowMs = windowMs == null ? 0 : windowMs;
        acc.currentMs = eventMs;
        long print = IdPrints.of(eventId);
        if (IdPrints.contains(acc.idPrints, print)) {
            return; // a copy: counted once, so every kept play has its own id
        }
        acc.add(print, eventMs, Boolean.TRUE.equals(family), Boolean.TRUE.equals(christmas));
        if (eventMs > acc.newestMs) {
            acc.newestMs = eventMs;
            acc.evict();
        }
    }

    @Override
    public Row getValue(Plays acc) {
        int n = acc.idPrints.length;
        if (n == 0) {
            return Row.of(0L, 0L, 0L);
        }
        long until = acc.currentMs;
        long from = until - acc.windowMs;
        long recent = 0;
        long family = 0;
        long christmas = 0;
        for (int i = 0; i < n; i++) {
            if (acc.times[i] > from && acc.times[i] <= until) {
                recent++;
                family += acc.family[i] ? 1 : 0;
                christmas += acc.christmas[i] ? 1 : 0;
            }
        }
        return Row.of(recent, family, christmas);
    }
}
