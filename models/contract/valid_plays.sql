{{ config(connector_properties=kafka_append_topic('valid.plays', 'user_id')) }}
-- The valid events of ctx.plays: typed per the event contract and deduplicated (macros/parse_events.sql).
{{ valid_events('plays') }}
