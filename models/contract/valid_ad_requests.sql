{{ config(connector_properties=kafka_append_topic('valid.ad_requests', 'user_id', 'at-least-once')) }}
-- sqlfluff's flink dialect cannot parse LATERAL TABLE (the parser call in macros/parse_events.sql)
-- noqa: disable=PRS
-- The valid events of ctx.ad_requests, typed per the event contract (macros/parse_events.sql) and NOT
-- deduplicated here: the topic's one reader, ad_decisions, keeps each request's first copy for 10 minutes
-- (int_ad_requests_first_copies), which covers this job's 2-minute dedup and its own replays alike. So
-- a request crosses this job without state: no shuffle to a dedup and no checkpoint of its state delay it
-- (at 5,000 events/s the dedup's checkpoints had stalled requests for 90-125 ms every 10 s).
{{ valid_events('ad_requests', deduplicate=false) }}
