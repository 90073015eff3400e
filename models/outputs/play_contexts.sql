{{ config(
    job_group='ads',
    connector_properties=kafka_append_topic('play_contexts', 'user_id', 'at-least-once'),
    execution_config=ads_job_options(),
) }}
-- The listening context after each play, one message per play: the listener's counts over the context
-- window, stamped (Kafka timestamp) with the play's own time. ad_eligibility reads each user's latest
-- from here. One row per play, computed in one operator (the OVER window, int_user_recent_listening)
-- from the plays in topic order: no aggregation folds two plays of a user into one message and no join
-- publishes a half-built one, so a replay after a fault writes the same messages (at-least-once: a
-- replayed copy is identical).
-- In the job group `ads` with ad_decisions, which joins the same contexts: the group reads the plays
-- once and keeps one OVER window, on the heap (macros/kafka.sql, ads_job_options). The filter below
-- drops nothing (every play has an event id, so each context counts its own play), but without it
-- Flink folds this select and the sink's cast of played_at (to the Kafka timestamp) into the OVER's
-- projection, while ad_decisions keeps played_at an event-time attribute: the two members' plans differ
-- below their sinks and the group computes the window twice (one OverAggregate over the plays with
-- the filter, two without; test_models_job_plans.py holds it).
select
    user_id,
    recent_plays,
    family_plays,
    christmas_plays,
    played_at
from {{ ref('int_user_recent_listening') }}
where recent_plays > 0
