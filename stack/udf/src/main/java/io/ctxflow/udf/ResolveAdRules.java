package io.ctxflow.udf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code ctx_resolve_ad_rules(context_signals, at, rules)}: which ad categories the rules block and
 * whitelist for a context, at a time. The one home of the rule semantics, used by both
 * {@code ad_eligibility} (at the time of the play behind the context) and {@code ad_decisions} (at the
 * request's time):
 * <ul>
 *   <li>a rule applies if its {@code context_signal} is among the context's signals and it is active
 *       at {@code at}: {@code active_from <= at} and ({@code active_to} is NULL or {@code > at});</li>
 *   <li>per ad category the applicable rule of the highest priority wins (a NULL priority ranks below
 *       every number); on equal priority a {@code block} beats a {@code whitelist}, and then the smaller
 *       rule id wins, so that the result never depends on the order of {@code rules};</li>
 *   <li>{@code blocked_categories}: the categories whose winner blocks, in category order;
 *       {@code whitelisted_categories}: those whose winner whitelists, the highest priority first (an
 *       ad server serves the first); {@code rule_ids}: the winners, in id order.</li>
 * </ul>
 * Every list is empty, never NULL, when nothing applies.
 *
 * <p>A scalar function over one row, rather than SQL (a join of signals with rules, a rank per category
 * and an aggregation per user): those operators emit a user's new rules one at a time, after retracting
 * the old ones, so a changelog built from them passes through half-built states, and a mini-batch that
 * folds them also folds two plays of one user into one version. Here each context gets its whole answer
 * in one row, the same in a replay.
 *
 * <p>Register per SQL session: {@code CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS
 * ctx_resolve_ad_rules AS 'io.ctxflow.udf.ResolveAdRules' LANGUAGE JAVA}.
 */
public class ResolveAdRules extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    /** The rule row's fields, in the order of the ARRAY&lt;ROW&gt; argument's type. */
    static final String RULE_TYPE = "ROW<rule_id STRING, action STRING, context_signal STRING, "
            + "ad_category STRING, priority INT, active_from TIMESTAMP(3), active_to TIMESTAMP(3)>";

    static final int RULE_ID = 0;
    static final int ACTION = 1;
    static final int CONTEXT_SIGNAL = 2;
    static final int AD_CATEGORY = 3;
    static final int PRIORITY = 4;
    static final int ACTIVE_FROM = 5;
    static final int ACTIVE_TO = 6;

    static final String BLOCK = "block";
    static final String WHITELIST = "whitelist";

    /** One applicable rule, decoded once per call. */
    record Rule(String ruleId, String action, String category, Integer priority) {}

    /** The winner of a category: higher priority, then block before whitelist, then the smaller id. */
    static final Comparator<Rule> PRECEDENCE = Comparator
            .comparing(Rule::priority, Comparator.nullsFirst(Comparator.<Integer>naturalOrder()))
            .thenComparing(Rule::action, Comparator.nullsFirst(Comparator.<String>reverseOrder()))
            .thenComparing(Rule::ruleId, Comparator.nullsFirst(Comparator.<String>reverseOrder()));

    @DataTypeHint(value = "ROW<blocked_categories ARRAY<STRING>, whitelisted_categories ARRAY<STRING>, "
            + "rule_ids ARRAY<STRING>>", bridgedTo = RowData.class)
    public RowData eval(
            @DataTypeHint(value = "ARRAY<STRING>", bridgedTo = ArrayData.class) ArrayData contextSignals,
            @DataTypeHint(value = "TIMESTAMP(3)", bridgedTo = TimestampData.class) TimestampData at,
            @DataTypeHint(value = "ARRAY<" + RULE_TYPE + ">", bridgedTo = ArrayData.class) ArrayData rules) {
        Map<String, Rule> winners = winners(signals(contextSignals), at, rules);
        List<Rule> blocked = new ArrayList<>();
        List<Rule> whitelisted = new ArrayList<>();
        for (Rule r : winners.values()) {
            if (BLOCK.equals(r.action())) {
                blocked.add(r);
            } else if (WHITELIST.equals(r.action())) {
                whitelisted.add(r);
            }
        }
        blocked.sort(Comparator.comparing(Rule::category));
        whitelisted.sort(PRECEDENCE.reversed().thenComparing(Rule::category));
        List<String> ruleIds = new ArrayList<>();
        for (Rule r : winners.values()) {
            if (r.ruleId() != null) {
                ruleIds.add(r.ruleId());
            }
        }
        ruleIds.sort(Comparator.naturalOrder());
        return GenericRowData.of(
                strings(blocked.stream().map(Rule::category).toList()),
                strings(whitelisted.stream().map(Rule::category).toList()),
                strings(ruleIds));
    }

    /** The winning applicable rule of each ad category. */
    static Map<String, Rule> winners(Set<String> signals, TimestampData at, ArrayData rules) {
        Map<String, Rule> winners = new HashMap<>();
        if (at == null || rules == null || signals.isEmpty()) {
            return winners;
        }
        for (int i = 0; i < rules.size(); i++) {
            if (rules.isNullAt(i)) {
                continue;
            }
            RowData row = rules.getRow(i, 7);
            if (!applies(row, signals, at)) {
                continue;
            }
            Rule rule = new Rule(
                    text(row, RULE_ID), text(row, ACTION), text(row, AD_CATEGORY),
                    row.isNullAt(PRIORITY) ? null : row.getInt(PRIORITY));
            winners.merge(rule.category(), rule, (a, b) -> PRECEDENCE.compare(a, b) >= 0 ? a : b);
        }
        return winners;
    }

    /** The rule names one of the signals, has a category, and is active at {@code at}. */
    static boolean applies(RowData rule, Set<String> signals, TimestampData at) {
        if (rule.isNullAt(AD_CATEGORY) || rule.isNullAt(CONTEXT_SIGNAL) || rule.isNullAt(ACTIVE_FROM)) {
            return false;
        }
        if (!signals.contains(rule.getString(CONTEXT_SIGNAL).toString())) {
            return false;
        }
        if (rule.getTimestamp(ACTIVE_FROM, 3).compareTo(at) > 0) {
            return false;
        }
        return rule.isNullAt(ACTIVE_TO) || rule.getTimestamp(ACTIVE_TO, 3).compareTo(at) > 0;
    }

    static Set<String> signals(ArrayData contextSignals) {
        Set<String> signals = new HashSet<>();
        if (contextSignals != null) {
            for (int i = 0; i < contextSignals.size(); i++) {
                if (!contextSignals.isNullAt(i)) {
                    signals.add(contextSignals.getString(i).toString());
                }
            }
        }
        return signals;
    }

    private static String text(RowData row, int field) {
        return row.isNullAt(field) ? null : row.getString(field).toString();
    }

    private static ArrayData strings(List<String> values) {
        Object[] out = new Object[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = StringData.fromString(values.get(i));
        }
        return new GenericArrayData(out);
    }
}
