{{ config(connector_properties=kafka_append_topic('valid.ad_requests', 'user_id')) }}
-- The valid events of ctx.ad_requests: typed per the event contract and deduplicated (macros/parse_events.sql).
{{ valid_events('ad_requests') }}
