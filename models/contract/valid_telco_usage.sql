{{ config(connector_properties=kafka_append_topic('valid.telco_usage', 'user_id', 'at-least-once')) }}
-- sqlfluff's flink dialect cannot parse LATERAL TABLE (the parser call in macros/parse_events.sql)
-- noqa: disable=PRS
-- The valid events of ctx.telco_usage: typed per the event contract and deduplicated (macros/parse_events.sql).
{{ valid_events('telco_usage') }}
