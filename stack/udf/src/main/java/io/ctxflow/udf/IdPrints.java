package io.ctxflow.udf;

/**
 * 64-bit fingerprints of event and request ids: what the aggregates' accumulators ({@link ContextCounts},
 * {@link FirstCopy}) keep instead of the ids themselves.
 *
 * <p>Why: Flink converts an aggregate's accumulator between its internal row and the Java class on every
 * row it accumulates, so an array of strings costs two objects per kept id on every play and every request
 * (in make bench's allocation profile the OVER aggregates made a fifth of the TaskManager's garbage); a
 * {@code long[]} converts as one block copy. Two ids of one user share a print with odds of about
 * {@code n^2 / 2^65} among {@code n} kept ids: 3e-14 at a thousand.
 */
final class IdPrints {

    private IdPrints() {
    }

    /** FNV-1a over the id's UTF-16 units, then MurmurHash3's finaliser (FNV alone mixes its low bits poorly). */
    static long of(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    static boolean contains(long[] prints, long print) {
        for (long p : prints) {
            if (p == print) {
                return true;
            }
        }
        return false;
    }
}
