package io.ctxflow.udf;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The contract of one event type, read from the JSON spec literal given to ctx_parse_event, and the
 * conversion of one scalar JSON value to the normalised text of a contract type.
 */
final class EventContract {

    enum Kind { STRING, BIGINT, DOUBLE, BOOLEAN, DECIMAL }

    static final class Field {
        final String name;
        /** The type exactly as the spec spells it: it appears in "wrong type" reasons. */
        final String typeText;
        final Kind kind;
        final int precision;
        final int scale;
        final boolean required;
        /** Accepted values (normalised text), or null when any value is accepted. */
        final Set<String> allowed;

        Field(String name, String typeText, Kind kind, int precision, int scale, boolean required,
              Set<String> allowed) {
            this.name = name;
            this.typeText = typeText;
            this.kind = kind;
            this.precision = precision;
            this.scale = scale;
            this.required = required;
            this.allowed = allowed;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern DECIMAL_TYPE = Pattern.compile("DECIMAL\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");
    /** A number as a JSON string may hold it (ASCII digits only: no hex floats, no "NaN", no "1d"). */
    private static final Pattern NUMBER_TEXT = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    final Field[] fields;
    final Map<String, Integer> indexByName;

    private EventContract(Field[] fields) {
        this.fields = fields;
        this.indexByName = new HashMap<>(fields.length * 2);
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name.equalsIgnoreCase(ParseEvent.ERROR_COLUMN)) {
                throw bad("'" + fields[i].name + "' is the parser's error column, not a field name");
            }
            if (indexByName.put(fields[i].name, i) != null) {
                throw bad("field '" + fields[i].name + "' appears twice");
            }
        }
    }

    /** Reads a spec such as {"fields":[{"name":"ts","type":"BIGINT","required":true}, ...]}. */
    static EventContract parse(String spec) {
        if (spec == null) {
            throw bad("the spec is NULL");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(spec);
        } catch (Exception e) {
            throw bad("not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        JsonNode list = root == null ? null : root.get("fields");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw bad("expected {\"fields\": [ {\"name\": ..., \"type\": ...}, ... ]}");
        }
        List<Field> fields = new ArrayList<>();
        for (JsonNode f : list) {
            fields.add(field(f));
        }
        return new EventContract(fields.toArray(new Field[0]));
    }

    private static Field field(JsonNode f) {
        JsonNode name = f.get("name");
        JsonNode type = f.get("type");
        if (name == null || !name.isTextual() || name.asText().isEmpty() || type == null || !type.isTextual()) {
            throw bad("every field needs a text \"name\" and \"type\": " + f);
        }
        String typeText = type.asText();
        Kind kind;
        int precision = 0;
        int scale = 0;
        Matcher decimal = DECIMAL_TYPE.matcher(typeText);
        if (decimal.matches()) {
            kind = Kind.DECIMAL;
            precision = Integer.parseInt(decimal.group(1));
            scale = Integer.parseInt(decimal.group(2));
            if (precision < 1 || precision > 38 || scale > precision) {
                throw bad(typeText + " needs 1 <= precision <= 38 and scale <= precision");
            }
        } else {
            try {
                kind = Kind.valueOf(typeText);
            } catch (IllegalArgumentException e) {
                throw bad("type " + typeText + " of '" + name.asText()
                        + "' is not one of STRING, BIGINT, DOUBLE, BOOLEAN, DECIMAL(p, s)");
            }
            if (kind == Kind.DECIMAL) {
                throw bad("DECIMAL needs a precision and scale, e.g. DECIMAL(12, 2)");
            }
        }
        JsonNode required = f.get("required");
        if (required != null && !required.isBoolean()) {
            throw bad("\"required\" of '" + name.asText() + "' must be true or false");
        }
        Set<String> allowed = null;
        JsonNode values = f.get("allowed");
        if (values != null && !values.isNull()) {
            if (!values.isArray()) {
                throw bad("\"allowed\" of '" + name.asText() + "' must be an array");
            }
            allowed = new HashSet<>();
            for (JsonNode v : values) {
                allowed.add(v.asText());
            }
        }
        return new Field(name.asText(), typeText, kind, precision, scale,
                required != null && required.booleanValue(), allowed);
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("ctx_parse_event: invalid spec: " + why);
    }

    /**
     * The value as the normalised text of the field's type, or null when it does not convert. Only the
     * scalar tokens reach here (strings, numbers, booleans); nulls, objects and arrays count as absent.
     */
    static String normalise(Field f, JsonToken token, String text) {
        switch (f.kind) {
            case STRING:
                return text;
            case BIGINT:
                return toBigint(token, text);
            case DOUBLE:
                return toDouble(token, text);
            case BOOLEAN:
                return toBoolean(token, text);
            case DECIMAL:
                return toDecimal(token, text, f.precision, f.scale);
            default:
                throw new IllegalStateException(f.kind.name());
        }
    }

    private static String toBigint(JsonToken token, String text) {
        String digits;
        if (token == JsonToken.VALUE_NUMBER_INT) {
            digits = text;
        } else if (token == JsonToken.VALUE_STRING) {
            // as TRY_CAST('123' AS BIGINT) would: surrounding blanks ignored, integral digits only
            digits = text.trim();
            if (!isInteger(digits)) {
                return null;
            }
        } else {
            return null; // a fraction or exponent (1.5, 1e3, 1e400) or a boolean is not a BIGINT
        }
        try {
            return Long.toString(Long.parseLong(digits));
        } catch (NumberFormatException outOfRange) {
            return null;
        }
    }

    private static boolean isInteger(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
        if (s.length() == start) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String numberText(JsonToken token, String text) {
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            return text;
        }
        if (token == JsonToken.VALUE_STRING) {
            String trimmed = text.trim();
            return NUMBER_TEXT.matcher(trimmed).matches() ? trimmed : null;
        }
        return null;
    }

    private static String toDouble(JsonToken token, String text) {
        String number = numberText(token, text);
        if (number == null) {
            return null;
        }
        double d = Double.parseDouble(number);
        return Double.isFinite(d) ? Double.toString(d) : null;
    }

    private static String toBoolean(JsonToken token, String text) {
        if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            return text;
        }
        if (token == JsonToken.VALUE_STRING) {
            String trimmed = text.trim();
            if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
                return trimmed.toLowerCase();
            }
        }
        return null;
    }

    private static String toDecimal(JsonToken token, String text, int precision, int scale) {
        String number = numberText(token, text);
        if (number == null) {
            return null;
        }
        BigDecimal value = new BigDecimal(number);
        // Decide from the magnitude before setScale, which would build a huge number for 1e999999999.
        int integerDigits = value.precision() - value.scale();
        if (value.signum() != 0 && integerDigits > precision - scale) {
            return null;
        }
        if (integerDigits < -scale - 1) {
            value = BigDecimal.ZERO; // below half a unit of the last digit: rounds to zero
        }
        BigDecimal rounded = value.setScale(scale, RoundingMode.HALF_UP);
        return rounded.precision() > precision ? null : rounded.toPlainString();
    }
}
