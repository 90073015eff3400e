{#
  Parsing and validation of raw JSON events against the event contract (macros/event_contract.sql).
  A raw source row has raw_value, kafka_partition, kafka_offset, kafka_ts, proc_time and event_time.
#}

{# One field of raw_value as its contract type; NULL when absent or not convertible. #}
{% macro json_field(field) -%}
  {%- set path = "'$." ~ field[0] ~ "'" -%}
  {%- if field[1] == 'STRING' -%}
    JSON_VALUE(raw_value, {{ path }})
  {%- else -%}
    TRY_CAST(JSON_VALUE(raw_value, {{ path }}) AS {{ field[1] }})
  {%- endif -%}
{%- endmacro %}


{#
  Why a raw event breaks the contract, or NULL when it is valid. The first failing check wins, in
  the order: empty, not JSON, missing required field, wrong type, value not accepted, implausible ts.
  An implausible ts is detected by the source's event_time having fallen back to the broker time.
#}
{% macro malformed_reason(event) -%}
  {%- set contract = event_contract(event) -%}
  CASE
    WHEN raw_value IS NULL OR TRIM(raw_value) = '' THEN 'empty message value'
    WHEN NOT JSON_EXISTS(raw_value, '$') THEN 'invalid JSON'
    {%- for f in contract.fields if f[2] %}
    WHEN JSON_VALUE(raw_value, '$.{{ f[0] }}') IS NULL THEN 'missing field: {{ f[0] }}'
    {%- endfor %}
    {%- for f in contract.fields if f[1] != 'STRING' %}
    WHEN JSON_VALUE(raw_value, '$.{{ f[0] }}') IS NOT NULL AND {{ json_field(f) }} IS NULL
      THEN 'wrong type: {{ f[0] }} is not {{ f[1] }}'
    {%- endfor %}
    {%- for f in contract.fields if f[3] %}
    WHEN JSON_VALUE(raw_value, '$.{{ f[0] }}') NOT IN ('{{ f[3] | join("', '") }}')
      THEN CONCAT('invalid value: {{ f[0] }} = ', JSON_VALUE(raw_value, '$.{{ f[0] }}'))
    {%- endfor %}
    WHEN TO_TIMESTAMP_LTZ(TRY_CAST(JSON_VALUE(raw_value, '$.ts') AS BIGINT), 3) > event_time
      THEN 'ts too far in the future: more than {{ var("max_future_skew_minutes") }} min after the broker timestamp'
    WHEN TO_TIMESTAMP_LTZ(TRY_CAST(JSON_VALUE(raw_value, '$.ts') AS BIGINT), 3) < event_time
      THEN 'ts too late: more than {{ var("max_event_delay_hours") }} h before the broker timestamp'
  END
{%- endmacro %}


{#
  True when a typed row (see staged_events) satisfies the contract: the same rules as
  malformed_reason, written as one AND chain over the already-typed fields because the planner copes
  far better with that than with the CASE chain repeated in every model that inlines staging.
#}
{% macro is_valid_event(event) -%}
  {%- set conditions = [] -%}
  {%- for f in event_contract(event).fields -%}
    {%- set col = adapter.quote(f[0]) -%}
    {%- if f[2] -%}
      {%- do conditions.append(col ~ " is not null") -%}
    {%- elif f[1] != 'STRING' -%}
      {%- do conditions.append("(" ~ col ~ " is not null or JSON_VALUE(raw_value, '$." ~ f[0] ~ "') is null)") -%}
    {%- endif -%}
    {%- if f[3] -%}
      {%- do conditions.append("(" ~ col ~ " is null or " ~ col ~ " in ('" ~ f[3] | join("', '") ~ "'))") -%}
    {%- endif -%}
  {%- endfor -%}
  {%- do conditions.append("TO_TIMESTAMP_LTZ(ts, 3) = event_time") -%}
  {{ conditions | join("\n      and ") }}
{%- endmacro %}


{#
  The valid events of one raw source, typed per the contract and deduplicated on the contract key
  (the first copy wins, so re-delivered events are processed once; duplicates are not errors).
  Keeps event_time (the watermarked rowtime) and proc_time for windows downstream.
  deduplicate=false skips the dedup for the one consumer that cannot take it (see
  int_user_recent_listening).
#}
{% macro staged_events(event, raw_relation, deduplicate=true) -%}
  {%- set contract = event_contract(event) -%}
  with typed as (
    select
      {%- for f in contract.fields %}
      {{ json_field(f) }} as {{ adapter.quote(f[0]) }},
      {%- endfor %}
      raw_value,
      kafka_ts,
      event_time,
      proc_time
    from {{ raw_relation }}
  ),

  deduplicated as (
    select
      *,
      {% if deduplicate -%}
      row_number() over (partition by {{ contract.key }} order by proc_time) as copy_number
      {%- else -%}
      1 as copy_number
      {%- endif %}
    from typed
    where {{ is_valid_event(event) }}
  )

  select
    {%- for f in contract.fields %}
    {{ adapter.quote(f[0]) }},
    {%- endfor %}
    kafka_ts,
    event_time,
    proc_time
  from deduplicated
  where copy_number = 1
{%- endmacro %}


{# The dead letters of one raw source: every event that breaks the contract, with the reason. #}
{% macro dead_letters(event, raw_relation) -%}
  select
    '{{ topic(event_contract(event).topic) }}' as source_topic,
    kafka_partition as source_partition,
    kafka_offset as source_offset,
    raw_value,
    {{ malformed_reason(event) }} as error,
    kafka_ts as received_at
  from {{ raw_relation }}
  where {{ malformed_reason(event) }} is not null
{%- endmacro %}
