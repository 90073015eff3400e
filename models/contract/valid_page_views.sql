{{ config(connector_properties=kafka_append_topic('valid.page_views', 'user_id', 'at-least-once')) }}
-- sqlfluff's flink dialect cannot parse LATERAL TABLE (the parser call in macros/parse_events.sql)
-- noqa: disable=PRS
-- The valid events of ctx.page_views: typed per the event contract and deduplicated (macros/parse_events.sql).
{{ valid_events('page_views') }}
