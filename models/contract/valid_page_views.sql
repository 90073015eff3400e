{{ config(connector_properties=kafka_append_topic('valid.page_views', 'user_id', 'exactly-once')) }}
-- sqlfluff's flink dialect cannot parse LATERAL TABLE (the parser call in macros/parse_events.sql)
-- noqa: disable=PRS
-- The valid events of ctx.page_views: typed per the event contract and deduplicated (macros/parse_events.sql).
-- Exactly-once: personas and car intent are session-level judgements made in seconds, so they can wait
-- for the checkpoint that commits a view, and in exchange count plain rows, never a replayed copy
-- (distinct counts keep every event id of a session in state, which the profile showed to be their
-- main cost).
{{ valid_events('page_views') }}
