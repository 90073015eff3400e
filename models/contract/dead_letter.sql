{{ config(connector_properties=kafka_append_topic('dead_letter', 'source_topic', 'exactly-once')) }}
-- sqlfluff's flink dialect cannot parse LATERAL TABLE (the parser call in macros/parse_events.sql)
-- noqa: disable=PRS
-- Every input event that breaks the event contract, with where it came from and why: nothing is
-- dropped silently and no job crashes on bad input (macros/parse_events.sql).
{% for event in contract_events() %}
    {{ dead_letters(event) }}
    {{ 'union all' if not loop.last }}
{% endfor %}
