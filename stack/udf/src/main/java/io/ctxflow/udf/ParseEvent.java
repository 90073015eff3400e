package io.ctxflow.udf;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.TableFunction;
import org.apache.flink.types.Row;

/**
 * {@code ctx_parse_event(raw_value, spec)}: parses one raw event exactly once (a streaming pass, no
 * tree) and checks it against the event contract in {@code spec}. Emits exactly one row per input:
 * {@code contract_error} is NULL for a valid event, else the first failing check (empty value,
 * invalid JSON, missing field, wrong type, invalid value); {@code fields} holds the contract fields
 * present as convertible scalars, as normalised text, so {@code CAST(fields['ts'] AS BIGINT)} never
 * fails. Fields outside the contract are skipped without being materialised.
 *
 * <p>Register per SQL session: {@code CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ctx_parse_event
 * AS 'io.ctxflow.udf.ParseEvent' LANGUAGE JAVA}.
 */
@FunctionHint(output = @DataTypeHint("ROW<contract_error STRING, fields MAP<STRING, STRING>>"))
public class ParseEvent extends TableFunction<Row> {

    private static final long serialVersionUID = 1L;

    /** Thread-safe and cheap to share; its defaults reject NaN/Infinity and nesting beyond 1,000. */
    private static final JsonFactory JSON = new JsonFactory();

    // The spec is a literal, the same on every call: parsed once per instance, compared by equality.
    private transient String specText;
    private transient EventContract contract;

    public void eval(String rawValue, String spec) {
        collect(check(rawValue, contractFor(spec)));
    }

    private EventContract contractFor(String spec) {
        if (contract == null || !spec.equals(specText)) {
            contract = EventContract.parse(spec);
            specText = spec;
        }
        return contract;
    }

    /** The output row for one value; package-private for the unit tests. */
    static Row check(String rawValue, EventContract contract) {
        if (rawValue == null || rawValue.isBlank()) {
            return Row.of("empty message value", Collections.emptyMap());
        }
        EventContract.Field[] fields = contract.fields;
        JsonToken[] tokens = new JsonToken[fields.length];
        String[] texts = new String[fields.length];
        if (!scan(rawValue, contract, tokens, texts)) {
            return Row.of("invalid JSON", Collections.emptyMap());
        }

        Map<String, String> present = new HashMap<>(fields.length * 2);
        String missing = null;
        String wrongType = null;
        for (int i = 0; i < fields.length; i++) {
            EventContract.Field f = fields[i];
            if (texts[i] == null) {
                if (f.required && missing == null) {
                    missing = "missing field: " + f.name;
                }
                continue;
            }
            String value = EventContract.normalise(f, tokens[i], texts[i]);
            if (value == null) {
                // Left out of `fields`, so that no CAST downstream can fail on it.
                if (wrongType == null) {
                    wrongType = "wrong type: " + f.name + " is not " + f.typeText;
                }
                continue;
            }
            present.put(f.name, value);
        }
        String error = missing != null ? missing : wrongType;
        if (error == null) {
            error = firstInvalidValue(fields, present);
        }
        return Row.of(error, present);
    }

    private static String firstInvalidValue(EventContract.Field[] fields, Map<String, String> present) {
        for (EventContract.Field f : fields) {
            String value = present.get(f.name);
            if (f.allowed != null && value != null && !f.allowed.contains(value)) {
                return "invalid value: " + f.name + " = " + value;
            }
        }
        return null;
    }

    /**
     * One streaming pass over the whole value: records the token and text of each contract field (the
     * last duplicate wins; null, object and array count as absent) and returns false when the value is
     * not exactly one well-formed JSON document. A root that is not an object leaves every field absent.
     */
    private static boolean scan(String rawValue, EventContract contract, JsonToken[] tokens, String[] texts) {
        try (JsonParser p = JSON.createParser(rawValue)) {
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
}
