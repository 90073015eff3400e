{{ config(connector_properties=kafka_append_topic('valid.campaign_events', 'user_id', 'exactly-once')) }}
-- sqlfluff's flink dialect cannot parse LATERAL TABLE (the parser call in macros/parse_events.sql)
-- noqa: disable=PRS
-- The valid events of ctx.campaign_events: typed per the event contract and deduplicated (macros/parse_events.sql).
{{ valid_events('campaign_events') }}
