package io.ctxflow.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

class ResolveAdRulesTest {

    static final String FAMILY = "family_context";
    static final String CHRISTMAS = "christmas_mood";
    static final TimestampData PLAY = ts("2026-12-20T10:00:00");
    static final String ALWAYS = "2020-01-01T00:00:00";

    static TimestampData ts(String iso) {
        return iso == null ? null : TimestampData.fromLocalDateTime(LocalDateTime.parse(iso));
    }

    static RowData rule(String id, String action, String signal, String category, Integer priority, String from,
            String to) {
        return GenericRowData.of(StringData.fromString(id), StringData.fromString(action),
                StringData.fromString(signal), StringData.fromString(category), priority, ts(from), ts(to));
    }

    static ArrayData array(Object... values) {
        return new GenericArrayData(values);
    }

    static ArrayData signals(String... names) {
        Object[] out = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = StringData.fromString(names[i]);
        }
        return new GenericArrayData(out);
    }

    static List<String> list(ArrayData a) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.getString(i).toString());
        }
        return out;
    }

    record Result(List<String> blocked, List<String> whitelisted, List<String> ruleIds) {}

    static Result resolve(ArrayData signals, TimestampData at, ArrayData rules) {
        RowData row = new ResolveAdRules().eval(signals, at, rules);
        return new Result(list(row.getArray(0)), list(row.getArray(1)), list(row.getArray(2)));
    }

    /** The rules of the former dbt unit test of int_user_applicable_rules, case by case. */
    static final ArrayData RULES = array(
            // a block outranks a lower-priority whitelist of the same category
            rule("block_alcohol", "block", FAMILY, "alcohol", 100, ALWAYS, null),
            rule("allow_alcohol", "whitelist", CHRISTMAS, "alcohol", 50, ALWAYS, null),
            // equal priority: the block wins
            rule("allow_dating", "whitelist", CHRISTMAS, "dating", 100, ALWAYS, null),
            rule("block_dating", "block", FAMILY, "dating", 100, ALWAYS, null),
            // a whitelist of higher priority outranks a block
            rule("block_streaming", "block", FAMILY, "streaming", 10, ALWAYS, null),
            rule("allow_streaming", "whitelist", CHRISTMAS, "streaming", 20, ALWAYS, null),
            // active from the very millisecond of the play: applies
            rule("toys_from_now", "whitelist", CHRISTMAS, "toys", 10, "2026-12-20T10:00:00", null),
            // active until the very millisecond of the play: no longer applies
            rule("travel_until_now", "whitelist", CHRISTMAS, "travel", 10, ALWAYS, "2026-12-20T10:00:00"),
            // active one millisecond after the play: not yet
            rule("fashion_later", "whitelist", CHRISTMAS, "fashion", 10, "2026-12-20T10:00:00.001", null),
            // retired one millisecond before the play
            rule("gambling_retired", "block", FAMILY, "gambling", 100, ALWAYS, "2026-12-20T09:59:59.999"));

    @Test
    void priorityThenBlockBeforeWhitelistAndTheActiveWindowAtTheGivenTime() {
        Result both = resolve(signals(FAMILY, CHRISTMAS), PLAY, RULES);
        assertEquals(List.of("alcohol", "dating"), both.blocked());
        assertEquals(List.of("streaming", "toys"), both.whitelisted()); // priority 20 before 10
        assertEquals(List.of("block_alcohol", "block_dating", "toys_from_now", "allow_streaming").stream().sorted()
                .toList(), both.ruleIds());

        Result christmas = resolve(signals(CHRISTMAS), PLAY, RULES);
        assertEquals(List.of(), christmas.blocked());
        // dating (100) before alcohol (50) before streaming (20) before toys (10)
        assertEquals(List.of("dating", "alcohol", "streaming", "toys"), christmas.whitelisted());
    }

    @Test
    void noSignalNoTimeOrNoRulesBlockNothing() {
        Result none = resolve(signals(), PLAY, RULES);
        assertEquals(new Result(List.of(), List.of(), List.of()), none);
        assertEquals(none, resolve(null, PLAY, RULES));
        assertEquals(none, resolve(signals(FAMILY), null, RULES));
        assertEquals(none, resolve(signals(FAMILY), PLAY, null));
        assertEquals(none, resolve(signals(FAMILY), PLAY, array()));
    }

    @Test
    void theResultDoesNotDependOnTheOrderOfTheRules() {
        List<Object> rules = new ArrayList<>();
        for (int i = 0; i < RULES.size(); i++) {
            rules.add(RULES.getRow(i, 7));
        }
        // two rules of equal priority and action for one category: the smaller id wins either way
        rules.add(rule("b_toys", "block", FAMILY, "toys", 500, ALWAYS, null));
        rules.add(rule("a_toys", "block", FAMILY, "toys", 500, ALWAYS, null));
        Result first = resolve(signals(FAMILY, CHRISTMAS), PLAY, new GenericArrayData(rules.toArray()));
        Collections.reverse(rules);
        Result reversed = resolve(signals(FAMILY, CHRISTMAS), PLAY, new GenericArrayData(rules.toArray()));
        assertEquals(first, reversed);
        assertEquals(List.of("alcohol", "dating", "toys"), first.blocked());
        assertEquals(true, first.ruleIds().contains("a_toys") && !first.ruleIds().contains("b_toys"));
    }

    @Test
    void incompleteRulesAndNullsAreSkippedNotFatal() {
        Result r = resolve(signals(FAMILY), PLAY, array(
                null,
                rule("no_category", "block", FAMILY, null, 100, ALWAYS, null),
                rule("no_start", "block", FAMILY, "alcohol", 100, null, null),
                rule("no_priority", "block", FAMILY, "dating", null, ALWAYS, null),
                rule("some_priority", "whitelist", FAMILY, "dating", 1, ALWAYS, null),
                rule("unknown_action", "promote", FAMILY, "cars", 100, ALWAYS, null)));
        // a NULL priority ranks below any number; an action other than block/whitelist lists nothing
        assertEquals(List.of(), r.blocked());
        assertEquals(List.of("dating"), r.whitelisted());
        assertEquals(List.of("some_priority", "unknown_action"), r.ruleIds());
    }
}
