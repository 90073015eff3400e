{{ config(
    job_group='ads',
    connector_properties=kafka_append_topic('play_contexts', 'user_id', 'at-least-once'),
    execution_config={'table.exec.state.ttl': '1 d', 'state.backend.type': 'rocksdb'},
) }}
-- The listening context after each play, one message per play: the listener's counts over the context
-- window, stamped (Kafka timestamp) with the play's own time. ad_eligibility reads each user's latest
-- from here (ad_decisions computes the same contexts in its own job, from the same plays). One row per play, computed in
-- one operator (the OVER window, int_user_recent_listening) from the plays in topic order: no
-- aggregation folds two plays of a user into one message and no join publishes a half-built one, so a
-- replay after a fault writes the same messages (at-least-once: a replayed copy is identical).
-- The job group `ads` holds the OVER window's state: a user's last plays, in RocksDB.
select
    user_id,
    recent_plays,
    family_plays,
    christmas_plays,
    played_at
from {{ ref('int_user_recent_listening') }}
