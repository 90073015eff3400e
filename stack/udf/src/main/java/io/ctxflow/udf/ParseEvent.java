package io.ctxflow.udf;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.TableFunction;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.TypeInference;

/**
 * {@code ctx_parse_event(raw_value, spec)}: parses one raw event exactly once (a streaming pass over
 * its UTF-8 bytes, no tree) and checks it against the event contract in {@code spec}, a literal. Emits
 * exactly one row per input: {@code parse_error} is NULL for a valid event, else the first failing
 * check (empty value, invalid JSON, missing field, wrong type, invalid value); then one column per
 * contract field, named and typed as the spec says (STRING, BIGINT, DOUBLE, BOOLEAN, DECIMAL(p, s)),
 * NULL where the field is absent or does not convert. Fields outside the contract are skipped.
 *
 * <p>Why typed columns and not a map of texts: the contract job read each field out of a
 * {@code MAP<STRING, STRING>} and cast it, and Flink's generated code looks a map key up by scanning
 * the keys, so building the map and reading it back was half of the contract job's parse threads
 * (JFR during make bench's drain). The output type is inferred from the spec when the query is
 * planned; arguments and result use Flink's internal data structures (no String or java.util.Map in
 * between).
 *
 * <p>Register per SQL session: {@code CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ctx_parse_event
 * AS 'io.ctxflow.udf.ParseEvent' LANGUAGE JAVA}.
 */
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

    /** The error column's name; no contract field may take it (EventContract.parse). */
    static final String ERROR_COLUMN = "parse_error";

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        DataType text = DataTypes.STRING().bridgedTo(StringData.class);
        return TypeInference.newBuilder()
                .typedArguments(text, text)
                .outputTypeStrategy(call -> {
                    Optional<String> spec = call.getArgumentValue(1, String.class);
                    if (spec.isEmpty()) {
                        throw call.newValidationError(
                                "ctx_parse_event: the spec (second argument) must be a literal: it gives the output's columns");
                    }
                    return Optional.of(outputType(contractOf(spec.get())));
                })
                .build();
    }

    /** ROW<parse_error STRING, one column per contract field in spec order>. */
    static DataType outputType(EventContract contract) {
        DataTypes.Field[] columns = new DataTypes.Field[contract.fields.length + 1];
        columns[0] = DataTypes.FIELD(ERROR_COLUMN, DataTypes.STRING());
        for (int i = 0; i < contract.fields.length; i++) {
            EventContract.Field f = contract.fields[i];
            columns[i + 1] = DataTypes.FIELD(f.name, dataType(f));
        }
        return DataTypes.ROW(columns).bridgedTo(RowData.class);
    }

    private static DataType dataType(EventContract.Field f) {
        switch (f.kind) {
            case STRING:
                return DataTypes.STRING();
            case BIGINT:
                return DataTypes.BIGINT();
            case DOUBLE:
                return DataTypes.DOUBLE();
            case BOOLEAN:
                return DataTypes.BOOLEAN();
            case DECIMAL:
                return DataTypes.DECIMAL(f.precision, f.scale);
            default:
                throw new IllegalStateException(f.kind.name());
        }
    }

    public void eval(StringData rawValue, StringData spec) {
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
            contract = contractOf(spec.toString());
            specData = spec;
        }
        return contract;
    }

    /** The JVM's one EventContract of a spec text, parsed on first use (planning or the first call). */
    static EventContract contractOf(String spec) {
        return CONTRACTS.computeIfAbsent(spec, EventContract::parse);
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
        GenericRowData row = new GenericRowData(contract.fields.length + 1);
        row.setField(0, verdict.error == null ? null : StringData.fromString(verdict.error));
        for (int i = 0; i < contract.fields.length; i++) {
            row.setField(i + 1, internal(contract.fields[i], verdict.values[i]));
        }
        return row;
    }

    /**
     * A field's normalised text (EventContract.normalise) as Flink's internal value of its type; the
     * text always converts, normalise made sure. Strings are encoded here, once: a lazy StringData
     * would be encoded again by every writer of the row.
     */
    private static Object internal(EventContract.Field f, String text) {
        if (text == null) {
            return null;
        }
        switch (f.kind) {
            case STRING:
                return StringData.fromBytes(text.getBytes(StandardCharsets.UTF_8));
            case BIGINT:
                return Long.parseLong(text);
            case DOUBLE:
                return Double.parseDouble(text);
            case BOOLEAN:
                return Boolean.parseBoolean(text);
            case DECIMAL:
                return DecimalData.fromBigDecimal(new BigDecimal(text), f.precision, f.scale);
            default:
                throw new IllegalStateException(f.kind.name());
        }
    }
}
