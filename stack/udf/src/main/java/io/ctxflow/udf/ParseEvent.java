package io.ctxflow.udf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryArrayData;
import org.apache.flink.table.data.binary.BinaryMapData;
import org.apache.flink.table.data.writer.BinaryArrayWriter;
import org.apache.flink.table.functions.TableFunction;

/**
 * {@code ctx_parse_event(raw_value, spec)}: parses one raw event exactly once (a streaming pass over
 * its UTF-8 bytes, no tree) and checks it against the event contract in {@code spec}. Emits exactly
 * one row per input: {@code contract_error} is NULL for a valid event, else the first failing check
 * (empty value, invalid JSON, missing field, wrong type, invalid value); {@code fields} holds the
 * contract fields present as convertible scalars, as normalised text, so
 * {@code CAST(fields['ts'] AS BIGINT)} never fails. Fields outside the contract are skipped.
 *
 * <p>Arguments and result use Flink's internal data structures: the raw bytes go to Jackson without a
 * Java String in between, and the map is written in Flink's binary format, which is what the planner
 * would otherwise convert a java.util.Map into on every row.
 *
 * <p>Register per SQL session: {@code CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ctx_parse_event
 * AS 'io.ctxflow.udf.ParseEvent' LANGUAGE JAVA}.
 */
@FunctionHint(output = @DataTypeHint(value = "ROW<contract_error STRING, fields MAP<STRING, STRING>>",
        bridgedTo = RowData.class))
public class ParseEvent extends TableFunction<RowData> {

    private static final long serialVersionUID = 1L;

    /** Thread-safe and cheap to share; its defaults reject NaN/Infinity and nesting beyond 1,000. */
    private static final JsonFactory JSON = new JsonFactory();

    static final String EMPTY = "empty message value";
    static final String INVALID_JSON = "invalid JSON";

    // The spec is a literal: the planner hands over the same object on every call, so the lookup by
    // text runs once per instance.
    private transient StringData specData;
    private transient EventContract contract;

    /** One EventContract per spec text in the JVM, so that calls can be compared by reference. */
    private static final Map<String, EventContract> CONTRACTS = new ConcurrentHashMap<>();

    /**
     * The last value parsed on this thread and its result. In a job group the valid-events and the
     * dead-letter branch of a topic each call this function (Flink 2.2 never reuses a LATERAL TABLE
     * across statements: every correlate gets its own correlation id, so their digests differ), and
     * both run chained in the same task thread, one right after the other for each record. The
     * second call finds the same bytes here and reuses the verdict, so each event is parsed once.
     */
    private static final ThreadLocal<Memo> LAST = ThreadLocal.withInitial(Memo::new);

    private static final class Memo {
        byte[] raw; // null for a tombstone: Arrays.equals(null, null) is true
        EventContract contract;
        RowData row;
    }

    public void eval(
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData rawValue,
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData spec) {
        EventContract c = contractFor(spec);
        byte[] raw = rawValue == null ? null : rawValue.toBytes();
        Memo last = LAST.get();
        if (last.contract == c && Arrays.equals(last.raw, raw)) {
            collect(last.row); // the output is immutable: emitting it again is safe
            return;
        }
        RowData row = toRow(check(raw, c), c);
        last.raw = raw;
        last.contract = c;
        last.row = row;
        collect(row);
    }

    private EventContract contractFor(StringData spec) {
        if (spec != specData || contract == null) {
            contract = CONTRACTS.computeIfAbsent(spec.toString(), EventContract::parse);
            specData = spec;
        }
        return contract;
    }

    /** The verdict on one event: the contract error (or null) and each field's normalised text. */
    static final class Verdict {
        final String error;
        /** By contract position; null where the field is absent, not a scalar or not convertible. */
        final String[] values;

        Verdict(String error, String[] values) {
            this.error = error;
            this.values = values;
        }
    }

    /** The checks on one raw value (UTF-8 bytes, null for a tombstone), in the order of the reasons. */
    static Verdict check(byte[] raw, EventContract contract) {
        EventContract.Field[] fields = contract.fields;
        String[] values = new String[fields.length];
        if (raw == null || isBlank(raw)) {
            return new Verdict(EMPTY, values);
        }
        JsonToken[] tokens = new JsonToken[fields.length];
        if (!scan(raw, contract, tokens, values)) {
            return new Verdict(INVALID_JSON, new String[fields.length]);
        }
        String missing = null;
        String wrongType = null;
        for (int i = 0; i < fields.length; i++) {
            EventContract.Field f = fields[i];
            if (values[i] == null) {
                if (f.required && missing == null) {
                    missing = "missing field: " + f.name;
                }
                continue;
            }
            // Left null when it does not convert, so that no CAST downstream can fail on it.
            values[i] = EventContract.normalise(f, tokens[i], values[i]);
            if (values[i] == null && wrongType == null) {
                wrongType = "wrong type: " + f.name + " is not " + f.typeText;
            }
        }
        String error = missing != null ? missing : wrongType;
        return new Verdict(error != null ? error : firstInvalidValue(fields, values), values);
    }

    private static String firstInvalidValue(EventContract.Field[] fields, String[] values) {
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].allowed != null && values[i] != null && !fields[i].allowed.contains(values[i])) {
                return "invalid value: " + fields[i].name + " = " + values[i];
            }
        }
        return null;
    }

    /** Blank as String.isBlank would say, without decoding the bytes in the usual (ASCII) case. */
    private static boolean isBlank(byte[] raw) {
        boolean nonAscii = false;
        for (byte b : raw) {
            if (b < 0) {
                nonAscii = true;
            } else if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return !nonAscii || new String(raw, StandardCharsets.UTF_8).isBlank();
    }

    /**
     * One streaming pass over the whole value: records the token and text of each contract field (the
     * last duplicate wins; null, object and array count as absent) and returns false when the value is
     * not exactly one well-formed JSON document in UTF-8. A root that is not an object leaves every
     * field absent.
     */
    private static boolean scan(byte[] raw, EventContract contract, JsonToken[] tokens, String[] texts) {
        try (JsonParser p = JSON.createParser(raw)) {
            JsonToken root = p.nextToken();
            if (root == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    Integer i = contract.indexByName.get(p.currentName());
                    JsonToken t = p.nextToken();
                    if (i == null) {
                        p.skipChildren();
                    } else if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                        tokens[i] = t;
                        texts[i] = p.getText();
                    } else {
                        tokens[i] = null;
                        texts[i] = null;
                        p.skipChildren();
                    }
                }
            } else if (root != null) {
                p.skipChildren();
            } else {
                return false;
            }
            return p.nextToken() == null; // anything after the document is trailing garbage
        } catch (IOException e) { // JsonParseException, StreamConstraintsException (nesting, sizes)
            return false;
        }
    }

    static RowData toRow(Verdict verdict, EventContract contract) {
        return GenericRowData.of(
                verdict.error == null ? null : StringData.fromString(verdict.error), toMap(verdict.values, contract));
    }

    private static MapData toMap(String[] values, EventContract contract) {
        int size = 0;
        for (String v : values) {
            size += v == null ? 0 : 1;
        }
        BinaryArrayData keys = new BinaryArrayData();
        BinaryArrayData vals = new BinaryArrayData();
        BinaryArrayWriter keyWriter = new BinaryArrayWriter(keys, size, 8);
        BinaryArrayWriter valueWriter = new BinaryArrayWriter(vals, size, 8);
        for (int i = 0, pos = 0; i < values.length; i++) {
            if (values[i] != null) {
                keyWriter.writeString(pos, contract.keys[i]);
                valueWriter.writeString(pos, StringData.fromBytes(values[i].getBytes(StandardCharsets.UTF_8)));
                pos++;
            }
        }
        keyWriter.complete();
        valueWriter.complete();
        return BinaryMapData.valueOf(keys, vals);
    }
}
