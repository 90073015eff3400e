{{ config(
    job_group='ads',
    connector_properties=upsert_kafka_topic('ad_eligibility'),
    execution_config=changelog_job_options(mini_batch_latency='20 ms', state_backend='rocksdb'),
) }}
-- Which ad categories each listening user may not see (blocked) or should rather see (whitelisted)
-- right now, with the signals and rule ids behind it. Updated on every play and on every rule change.
-- Each version is stamped (Kafka timestamp) with the event time of the play (or the time of the rule
-- change) behind it, never with when it was written: a version written late after a fault still
-- applies to the requests made after the play.
-- One aggregation over a union rather than a LEFT JOIN of signals and rules: a left join retracts
-- its null-padded row whenever a user gains or loses rules, which the upsert topic would publish as a
-- tombstone; here every listening user keeps an anchor row, so their key is only ever updated.
with facts as (
    select
        user_id,
        cast(null as string) as context_signal,
        cast(null as string) as rule_id,
        cast(null as string) as rule_action,
        cast(null as string) as ad_category,
        played_at as effective_at
    from {{ ref('int_user_context_signals') }}

    union all

    select
        s.user_id,
        active.context_signal,
        cast(null as string) as rule_id,
        cast(null as string) as rule_action,
        cast(null as string) as ad_category,
        s.played_at as effective_at
    from {{ ref('int_user_context_signals') }} as s
    cross join unnest(s.context_signals) as active (context_signal)

    union all

    select
        user_id,
        cast(null as string) as context_signal,
        rule_id,
        action as rule_action,
        ad_category,
        rule_changed_at as effective_at
    from {{ ref('int_user_applicable_rules') }}
)

select
    user_id,
    coalesce(
        array_agg(distinct context_signal) filter (where context_signal is not null), {{ empty_string_array() }}
    ) as context_signals,
    coalesce(
        array_agg(distinct ad_category) filter (where rule_action = 'block'), {{ empty_string_array() }}
    ) as blocked_categories,
    coalesce(
        array_agg(distinct ad_category) filter (where rule_action = 'whitelist'), {{ empty_string_array() }}
    ) as whitelisted_categories,
    coalesce(array_agg(distinct rule_id) filter (where rule_id is not null), {{ empty_string_array() }}) as rule_ids,
    cast(current_timestamp as timestamp_ltz(3)) as updated_at,
    -- the Kafka timestamp of this version: the time of the play behind the context or of the rule
    -- change behind it, whichever is later (data, not when it was written), so that ad_decisions,
    -- joining the version as of each request's own time, decides the same in a replay
    max(effective_at) as published_at
from facts
group by user_id
