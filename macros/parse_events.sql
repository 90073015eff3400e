{#
  The contract layer's SQL: each raw event is parsed ONCE, by the Java table function
  ctx_parse_event (stack/udf, registered by the profile's init_statements), which reads the value in
  one streaming pass and returns the first contract violation (or NULL) and one column per contract
  field, already of its contract type. JSON_VALUE would parse the whole message again for every field
  and every check.
  A raw source row has raw_value, kafka_partition, kafka_offset, kafka_ts and proc_time.
#}

{#
  The contract of one event as the JSON literal ctx_parse_event reads (it caches the parsed spec),
  with `required` spelled out: the contract's default (true) is ours, not the parser's.
#}
{% macro contract_spec(event) -%}
  {%- set fields = [] -%}
  {%- for f in event_contract(event).fields -%}
    {%- do fields.append({'name': f.name, 'type': f.type, 'required': f.get('required', true), 'allowed': f.get('allowed')}) -%}
  {%- endfor -%}
  '{{ tojson({'fields': fields}) | replace("'", "''") }}'
{%- endmacro %}


{#
  Every record of one raw topic with why it breaks the contract (contract_error, NULL when valid)
  and its contract fields, typed. The first failing check wins, in the order: empty, not JSON, missing
  required field, wrong type, value not accepted (ctx_parse_event), then an implausible ts: more than
  max_future_skew_minutes after, or max_event_delay_hours before, the broker's timestamp.
  valid_events and dead_letters inline this same text, so in one job group Flink computes it once.
#}
{% macro parsed_events(event) -%}
  select
    r.kafka_partition,
    r.kafka_offset,
    r.kafka_ts,
    r.proc_time,
    r.raw_value,
    {%- for f in event_contract(event).fields %}
    p.{{ adapter.quote(f.name) }},
    {%- endfor %}
    case
      when p.parse_error is not null then p.parse_error
      when to_timestamp_ltz(p.ts, 3)
        > r.kafka_ts + interval '{{ var("max_future_skew_minutes") }}' minute
        then 'ts too far in the future: more than {{ var("max_future_skew_minutes") }} min after the broker timestamp'
      when to_timestamp_ltz(p.ts, 3)
        < r.kafka_ts - interval '{{ var("max_event_delay_hours") }}' hour
        then 'ts too late: more than {{ var("max_event_delay_hours") }} h before the broker timestamp'
    end as contract_error
  from {{ source('ctx', 'raw_' ~ event) }} as r,
    lateral table(ctx_parse_event(r.raw_value, {{ contract_spec(event) }})) as p
{%- endmacro %}


{#
  The valid events of one raw topic, typed per the contract and deduplicated on the contract key: the
  first copy wins, so a re-delivered event is processed once if it arrives within 2 minutes of the
  first (the dedup's state TTL, set for the contract folder in dbt_project.yml).
#}
{% macro valid_events(event) -%}
  {%- set contract = event_contract(event) -%}
  with parsed as (
    {{ parsed_events(event) }}
  ),

  deduplicated as (
    select
      {{ contract_columns(event) }},
      row_number() over (partition by {{ adapter.quote(contract.key) }} order by proc_time) as copy_number
    from parsed
    where contract_error is null
  )

  select {{ contract_columns(event) }}
  from deduplicated
  where copy_number = 1
{%- endmacro %}


{# The dead letters of one raw topic: every record that breaks the contract, with the reason. #}
{% macro dead_letters(event) -%}
  select
    '{{ topic(event) }}' as source_topic,
    kafka_partition as source_partition,
    kafka_offset as source_offset,
    raw_value,
    contract_error as error,
    kafka_ts as received_at
  from (
    {{ parsed_events(event) }}
  ) as parsed
  where contract_error is not null
{%- endmacro %}
