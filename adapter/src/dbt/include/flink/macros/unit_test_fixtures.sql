{# Values of dbt unit-test fixtures (dbt's format_row casts each one with safe_cast). A YAML list is an
   ARRAY value: Flink has no cast from text to ARRAY, so the array is built from its elements, and an
   empty list is an empty slice of a one-element array (Flink has no typed empty-array literal).
   Everything else is a plain CAST: TRY_CAST would turn a typo in a fixture into a silent NULL. #}
{% macro flink__safe_cast(field, type) -%}
  {%- if field is iterable and field is not string and field is not mapping -%}
    {#- Element nullability aside (DESCRIBE may say ARRAY<STRING NOT NULL>): a NULL element must be castable. -#}
    {%- set spec = type | trim | replace(' NOT NULL', '') -%}
    {%- if not spec.upper().startswith('ARRAY<') or not spec.endswith('>') -%}
      {{ exceptions.raise_compiler_error("Fixture value " ~ field ~ " is a list, but its column is " ~ type ~ ", not an ARRAY") }}
    {%- endif -%}
    {%- if field | length == 0 -%}
      CAST(ARRAY_SLICE(ARRAY[CAST(NULL AS {{ spec[6:-1] }})], 2, 1) AS {{ spec }})
    {%- else -%}
      CAST(ARRAY[{% for value in field %}{{ flink__fixture_literal(value) }}{{ ', ' if not loop.last }}{% endfor %}] AS {{ spec }})
    {%- endif -%}
  {%- else -%}
    CAST({{ field }} AS {{ type }})
  {%- endif -%}
{%- endmacro %}

{% macro flink__fixture_literal(value) -%}
  {%- if value is none -%}NULL
  {%- elif value is string -%}{{ dbt.string_literal(dbt.escape_single_quotes(value)) }}
  {%- elif value is sameas true -%}TRUE
  {%- elif value is sameas false -%}FALSE
  {%- else -%}{{ value }}
  {%- endif -%}
{%- endmacro %}
