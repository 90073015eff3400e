package io.ctxflow.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class ParseEventTest {

    static final String SPEC = "{\"fields\":["
            + "{\"name\":\"event_id\",\"type\":\"STRING\",\"required\":true},"
            + "{\"name\":\"ts\",\"type\":\"BIGINT\",\"required\":true},"
            + "{\"name\":\"audience\",\"type\":\"STRING\",\"required\":true,\"allowed\":[\"adult\",\"general\",\"family\",\"kids\"]},"
            + "{\"name\":\"price\",\"type\":\"DECIMAL(12, 2)\",\"required\":true},"
            + "{\"name\":\"body_type\",\"type\":\"STRING\",\"required\":false,\"allowed\":[\"small\",\"compact\"]},"
            + "{\"name\":\"score\",\"type\":\"DOUBLE\",\"required\":false},"
            + "{\"name\":\"premium\",\"type\":\"BOOLEAN\",\"required\":false}"
            + "]}";
    static final EventContract CONTRACT = EventContract.parse(SPEC);
    static final String VALID_BODY = "\"event_id\":\"e1\",\"ts\":1700000000000,\"audience\":\"kids\",\"price\":9.99";
    static final String VALID = "{" + VALID_BODY + "}";

    static ParseEvent.Verdict check(String raw) {
        return ParseEvent.check(raw == null ? null : raw.getBytes(StandardCharsets.UTF_8), CONTRACT);
    }

    static String error(String raw) {
        return check(raw).error;
    }

    static Map<String, String> fields(String raw) {
        String[] values = check(raw).values;
        Map<String, String> present = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                present.put(CONTRACT.fields[i].name, values[i]);
            }
        }
        return present;
    }

    /** The field columns of an emitted row that are not NULL, as text, by the contract of `spec`. */
    static Map<String, String> columnsOf(RowData row, String spec) {
        EventContract.Field[] fields = EventContract.parse(spec).fields;
        assertEquals(fields.length + 1, row.getArity());
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < fields.length; i++) {
            int pos = i + 1;
            if (row.isNullAt(pos)) {
                continue;
            }
            EventContract.Field f = fields[i];
            Object value;
            switch (f.kind) {
                case STRING: value = row.getString(pos); break;
                case BIGINT: value = row.getLong(pos); break;
                case DOUBLE: value = row.getDouble(pos); break;
                case BOOLEAN: value = row.getBoolean(pos); break;
                default: value = row.getDecimal(pos, f.precision, f.scale).toBigDecimal().toPlainString();
            }
            out.put(f.name, value.toString());
        }
        return out;
    }

    static Map<String, String> columnsOf(RowData row) {
        return columnsOf(row, SPEC);
    }

    /** VALID with one more member (a later duplicate overrides the earlier key). */
    static String with(String member) {
        return "{" + VALID_BODY + "," + member + "}";
    }

    @Test
    void validEventHasNoErrorAndEveryPresentFieldAsText() {
        assertNull(error(VALID));
        assertEquals(Map.of("event_id", "e1", "ts", "1700000000000", "audience", "kids", "price", "9.99"),
                fields(VALID));
    }

    @Test
    void nullOrBlankValueIsEmpty() {
        assertEquals("empty message value", error(null)); // a tombstone
        assertEquals("empty message value", error(""));
        assertEquals("empty message value", error("  \n\t "));
        assertEquals(Map.of(), fields(null));
    }

    @Test
    void malformedJsonIsInvalid() {
        for (String raw : new String[] {
            "{", "{\"event_id\":", "not json", "{\"a\":1,}", "{'event_id':'x'}", "{} trailing", "{}{}",
            VALID + " x", "{\"ts\":NaN}", "{\"ts\":Infinity}", "{\"ts\":-Infinity}", "{\"ts\":01}",
            "{\"event_id\":\"bad \\q escape\"}", "{\"unknown\":\"bad \\q escape\"}", "[1,2", "\"unterminated",
        }) {
            assertEquals("invalid JSON", error(raw), raw);
            assertEquals(Map.of(), fields(raw), raw);
        }
    }

    @Test
    void randomBytesAreInvalidJson() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[1 + random.nextInt(300)];
            random.nextBytes(bytes);
            bytes[0] = (byte) ('#' + random.nextInt(3)); // never a JSON start, never blank
            assertEquals("invalid JSON", ParseEvent.check(bytes, CONTRACT).error);
        }
    }

    @Test
    void invalidUtf8InAContractStringIsInvalidJson() {
        byte[] raw = VALID.replace("e1", "e\\u0000").getBytes(StandardCharsets.UTF_8);
        assertNull(ParseEvent.check(raw, CONTRACT).error); // an escaped control character is fine
        int at = VALID.indexOf("e1") + 1;
        byte[] broken = VALID.getBytes(StandardCharsets.UTF_8);
        broken[at] = (byte) 0xC3; // a two-byte lead followed by '"': not UTF-8
        assertEquals("invalid JSON", ParseEvent.check(broken, CONTRACT).error);
    }

    @Test
    void oneMegabyteOfNonJsonIsInvalid() {
        assertEquals("invalid JSON", error("x".repeat(1 << 20)));
        assertEquals("invalid JSON", error("{\"event_id\":\"" + "y".repeat(1 << 20))); // never closed
    }

    @Test
    void nestingBeyondJacksonsLimitIsInvalidEvenInAnUnknownField() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertEquals("invalid JSON", error(deep));
        assertEquals("invalid JSON", error(with("\"extra\":" + deep)));
        // within the limit an unknown nested field is skipped
        assertNull(error(with("\"extra\":" + "[".repeat(100) + "]".repeat(100))));
    }

    @Test
    void requiredFieldAbsentNullOrNotScalarIsMissingInContractOrder() {
        assertEquals("missing field: event_id", error("{}"));
        assertEquals("missing field: ts", error("{\"event_id\":\"e1\"}"));
        assertEquals("missing field: ts", error("{\"price\":\"oops\",\"event_id\":\"e1\"}")); // missing before type
        assertEquals("missing field: event_id", error(VALID.replace("\"e1\"", "null")));
        assertEquals("missing field: event_id", error(VALID.replace("\"e1\"", "{\"a\":1}")));
        assertEquals("missing field: event_id", error(VALID.replace("\"e1\"", "[\"e1\"]")));
    }

    @Test
    void rootThatIsNotAnObjectHasEveryFieldAbsent() {
        assertEquals("missing field: event_id", error("123"));
        assertEquals("missing field: event_id", error("\"text\""));
        assertEquals("missing field: event_id", error("[" + VALID + "]"));
        assertEquals("missing field: event_id", error("null"));
    }

    @Test
    void wrongTypesNameTheFieldAndTheSpecType() {
        assertEquals("wrong type: ts is not BIGINT", error(VALID.replace("1700000000000", "1.5")));
        assertEquals("wrong type: ts is not BIGINT", error(VALID.replace("1700000000000", "\"1.5\"")));
        assertEquals("wrong type: ts is not BIGINT", error(VALID.replace("1700000000000", "1e400")));
        assertEquals("wrong type: ts is not BIGINT", error(VALID.replace("1700000000000", "\"abc\"")));
        assertEquals("wrong type: ts is not BIGINT", error(VALID.replace("1700000000000", "true")));
        assertEquals("wrong type: ts is not BIGINT", error(VALID.replace("1700000000000", "9223372036854775808")));
        assertEquals("wrong type: price is not DECIMAL(12, 2)", error(VALID.replace("9.99", "\"cheap\"")));
        assertEquals("wrong type: price is not DECIMAL(12, 2)", error(VALID.replace("9.99", "1e400")));
        assertEquals("wrong type: price is not DECIMAL(12, 2)", error(VALID.replace("9.99", "12345678901.5")));
        assertEquals("wrong type: score is not DOUBLE", error(with("\"score\":1e400")));
        assertEquals("wrong type: score is not DOUBLE", error(with("\"score\":\"NaN\"")));
        assertEquals("wrong type: score is not DOUBLE", error(with("\"score\":\"0x1p3\"")));
        assertEquals("wrong type: premium is not BOOLEAN", error(with("\"premium\":1")));
        assertEquals("wrong type: premium is not BOOLEAN", error(with("\"premium\":\"yes\"")));
        // the first failing field in contract order wins; the failing value is left out of `fields`
        String both = VALID.replace("9.99", "\"cheap\"").replace("1700000000000", "\"soon\"");
        assertEquals("wrong type: ts is not BIGINT", error(both));
        assertEquals(Map.of("event_id", "e1", "audience", "kids"), fields(both));
    }

    @Test
    void typedValuesAreNormalisedSoACastNeverFails() {
        Map<String, String> f = fields(VALID.replace("1700000000000", "\" 123 \"").replace("9.99", "\"1.005\"")
                .replace("}", ",\"score\":\"2.5e1\",\"premium\":\"TRUE\"}"));
        assertEquals("123", f.get("ts")); // digits in a string pass, as with TRY_CAST
        assertEquals("1.01", f.get("price")); // HALF_UP to scale 2
        assertEquals("25.0", f.get("score"));
        assertEquals("true", f.get("premium"));
        assertEquals("-7", fields(VALID.replace("1700000000000", "-7")).get("ts"));
        assertEquals("1000.00", fields(VALID.replace("9.99", "1e3")).get("price"));
        assertEquals("0.00", fields(VALID.replace("9.99", "1e-999999999")).get("price"));
        assertEquals("9999999999.99", fields(VALID.replace("9.99", "9999999999.994")).get("price"));
        assertEquals("wrong type: price is not DECIMAL(12, 2)", error(VALID.replace("9.99", "9999999999.995")));
        assertEquals("false", fields(with("\"premium\":false")).get("premium"));
    }

    @Test
    void stringFieldsTakeNumbersAndBooleansAsTheirText() {
        assertEquals("42", fields(VALID.replace("\"e1\"", "42")).get("event_id"));
        assertEquals("4.20", fields(VALID.replace("\"e1\"", "4.20")).get("event_id"));
        assertEquals("true", fields(VALID.replace("\"e1\"", "true")).get("event_id"));
    }

    @Test
    void valuesOutsideAllowedAreInvalidAfterTypeChecks() {
        assertEquals("invalid value: audience = teens", error(VALID.replace("kids", "teens")));
        assertEquals("invalid value: body_type = truck", error(with("\"body_type\":\"truck\"")));
        assertEquals("wrong type: ts is not BIGINT",
                error(VALID.replace("kids", "teens").replace("1700000000000", "\"x\"")));
        assertEquals(Map.of("event_id", "e1", "ts", "1700000000000", "audience", "teens", "price", "9.99"),
                fields(VALID.replace("kids", "teens")));
    }

    @Test
    void optionalFieldsMayBeAbsentOrNullButAreCheckedWhenPresent() {
        assertNull(error(with("\"body_type\":null")));
        assertNull(error(with("\"body_type\":{\"size\":\"small\"}")));
        assertEquals("compact", fields(with("\"body_type\":\"compact\"")).get("body_type"));
        assertEquals("invalid value: body_type = Compact", error(with("\"body_type\":\"Compact\"")));
    }

    @Test
    void unicodeIsKeptAndCompared() {
        String raw = VALID.replace("\"e1\"", "\"\u00e9v\u00e9nement-\\u00e9-\uD83C\uDFB5\"");
        assertNull(error(raw));
        assertEquals("\u00e9v\u00e9nement-\u00e9-\uD83C\uDFB5", fields(raw).get("event_id"));
        assertEquals("invalid value: audience = \u0434\u0435\u0442\u0438",
                error(VALID.replace("kids", "\u0434\u0435\u0442\u0438")));
    }

    @Test
    void extraFieldsOfAnyShapeAreIgnored() {
        String raw = with("\"extra\":{\"nested\":[1,{\"event_id\":\"not me\"}]},\"n\":null,\"s\":\"x\"");
        assertNull(error(raw));
        assertEquals("e1", fields(raw).get("event_id"));
        assertTrue(!fields(raw).containsKey("extra"));
    }

    @Test
    void duplicateKeysLastOneWins() {
        assertEquals("e2", fields(with("\"event_id\":\"e2\"")).get("event_id"));
        assertEquals("missing field: event_id", error(with("\"event_id\":null")));
        assertNull(error("{\"event_id\":null," + VALID_BODY + "}"));
        assertEquals("wrong type: ts is not BIGINT", error(with("\"ts\":\"later\"")));
    }

    @Test
    void theOutputHasTheErrorThenOneColumnPerContractFieldOfItsType() {
        assertEquals("ROW<`parse_error` STRING, `event_id` STRING, `ts` BIGINT, `audience` STRING, "
                + "`price` DECIMAL(12, 2), `body_type` STRING, `score` DOUBLE, `premium` BOOLEAN>",
                ParseEvent.outputType(CONTRACT).getLogicalType().asSummaryString());
        RowData row = ParseEvent.toRow(check(with("\"score\":\" 2.5\",\"premium\":\"TRUE\"")), CONTRACT);
        assertEquals("e1", row.getString(1).toString());
        assertEquals(1700000000000L, row.getLong(2));
        assertEquals(new BigDecimal("9.99"), row.getDecimal(4, 12, 2).toBigDecimal());
        assertTrue(row.isNullAt(5));
        assertEquals(2.5, row.getDouble(6));
        assertTrue(row.getBoolean(7));
    }

    @Test
    void evalEmitsExactlyOneRowPerInputAndCachesTheSpec() {
        ParseEvent function = new ParseEvent();
        List<RowData> out = new ArrayList<>();
        function.setCollector(new Collector<>() {
            @Override
            public void collect(RowData row) {
                out.add(row);
            }

            @Override
            public void close() {}
        });
        String[] inputs = {VALID, null, "nope", "{}", VALID.replace("kids", "teens")};
        for (String raw : inputs) {
            // an equal but distinct spec object each time: cached by equality
            function.eval(raw == null ? null : StringData.fromString(raw), StringData.fromString(SPEC));
        }
        assertEquals(inputs.length, out.size());
        assertTrue(out.get(0).isNullAt(0));
        assertEquals(Map.of("event_id", "e1", "ts", "1700000000000", "audience", "kids", "price", "9.99"),
                columnsOf(out.get(0)));
        assertEquals("empty message value", out.get(1).getString(0).toString());
        assertEquals(Map.of(), columnsOf(out.get(1)));
        assertEquals("invalid JSON", out.get(2).getString(0).toString());
        assertEquals("missing field: event_id", out.get(3).getString(0).toString());
        assertEquals("invalid value: audience = teens", out.get(4).getString(0).toString());
        assertEquals("teens", columnsOf(out.get(4)).get("audience"));
        String other = "{\"fields\":[{\"name\":\"x\",\"type\":\"STRING\",\"required\":true}]}";
        function.eval(StringData.fromString("{\"x\":1}"), StringData.fromString(other));
        assertTrue(out.get(5).isNullAt(0)); // a different spec is honoured
        assertEquals(Map.of("x", "1"), columnsOf(out.get(5), other));
    }

    @Test
    void aSecondCallOnTheSameValueInTheSameThreadReusesTheVerdict() {
        // the dead-letter and the valid-events branch of a job group: two instances, same thread
        List<RowData> out = new ArrayList<>();
        Collector<RowData> collector = new Collector<>() {
            @Override
            public void collect(RowData row) {
                out.add(row);
            }

            @Override
            public void close() {}
        };
        ParseEvent valid = new ParseEvent();
        ParseEvent deadLetters = new ParseEvent();
        valid.setCollector(collector);
        deadLetters.setCollector(collector);
        String[] inputs = {VALID, "nope", null, "nope", VALID};
        for (String raw : inputs) {
            StringData value = raw == null ? null : StringData.fromString(raw);
            valid.eval(value, StringData.fromString(SPEC));
            deadLetters.eval(value, StringData.fromString(SPEC));
        }
        assertEquals(2 * inputs.length, out.size());
        for (int i = 0; i < inputs.length; i++) {
            assertSame(out.get(2 * i), out.get(2 * i + 1), "input " + i + " was parsed twice");
        }
        assertTrue(out.get(0).isNullAt(0));
        assertEquals("invalid JSON", out.get(2).getString(0).toString());
        assertEquals("empty message value", out.get(4).getString(0).toString());
        // a different value in between is parsed afresh, never mistaken for the previous one
        assertNotSame(out.get(4), out.get(6));
        assertEquals("invalid JSON", out.get(6).getString(0).toString());
    }

    @Test
    void badSpecsFailWithAClearMessage() {
        for (String spec : new String[] {
            "nope", "{}", "{\"fields\":[]}", "{\"fields\":[{\"name\":\"a\",\"type\":\"INT\"}]}",
            "{\"fields\":[{\"name\":\"a\"}]}", "{\"fields\":[{\"name\":\"a\",\"type\":\"DECIMAL\"}]}",
            "{\"fields\":[{\"name\":\"a\",\"type\":\"STRING\"},{\"name\":\"a\",\"type\":\"STRING\"}]}",
            "{\"fields\":[{\"name\":\"parse_error\",\"type\":\"STRING\"}]}",
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventContract.parse(spec));
            assertTrue(e.getMessage().startsWith("ctx_parse_event: invalid spec: "), e.getMessage());
        }
    }
}
