{{ config(
    job_group='eligibility',
    connector_properties=upsert_kafka_topic('ad_eligibility'),
    execution_config=eligibility_job_options(),
) }}
-- depends_on: {{ ref('play_contexts') }}
-- depends_on: {{ ref('ad_policy') }}
-- Which ad categories each listening user may not see (blocked) or should rather see (whitelisted)
-- right now, with the signals and rule ids behind it: the user's latest play context (ctx.play_contexts)
-- resolved against the policy in force (ctx.ad_policy) by ctx_resolve_ad_rules, in one row. Updated on
-- every play and on every change of the policy. Each version is stamped (Kafka timestamp) with the
-- event time of the play (or of the policy change) behind it, never with when it was written.
-- The join retracts a user's previous row right before adding the new one; the last step, one row per
-- user, folds the two in its mini-batch, so the topic gets the new version and no tombstone before it.
with contexts as (
    select
        user_id,
        recent_plays,
        family_plays,
        christmas_plays,
        played_at,
        -- the policy's key, 'ads' (macros/context_signals.sql says why it is built from a column)
        {{ policy_key('user_id') }} as policy_id
    from {{ source('ctx_published', 'latest_play_contexts') }}
),

in_context as (
    select
        c.user_id,
        -- noqa: disable=PRS
        {{ context_signals('c', 'p') }} as context_signals,
        -- noqa: enable=PRS
        c.played_at,
        p.rules,
        p.changed_at
    from contexts as c
    inner join {{ source('ctx_published', 'ad_policy_in_force') }} as p
        on c.policy_id = p.policy_id
),

resolved as (
    select
        user_id,
        context_signals,
        ctx_resolve_ad_rules(context_signals, cast(played_at as timestamp(3)), rules) as eligibility,
        greatest(played_at, changed_at) as published_at
    from in_context
)

-- One row per user: the join's retraction and its replacement meet in one mini-batch and leave as one
-- update (written to the topic as the new version), where a sink fed by the join itself would need
-- Flink's SinkUpsertMaterializer, which writes a tombstone before every version.
-- (noqa RF01: sqlfluff reads a ROW column's field, r.eligibility.x, as a table reference)
select
    r.user_id,
    last_value(r.context_signals) as context_signals,
    last_value(r.eligibility.blocked_categories) as blocked_categories,  -- noqa: RF01
    last_value(r.eligibility.whitelisted_categories) as whitelisted_categories,  -- noqa: RF01
    last_value(r.eligibility.rule_ids) as rule_ids,  -- noqa: RF01
    cast(current_timestamp as timestamp_ltz(3)) as updated_at,
    -- the Kafka timestamp of this version: the time of the play behind the context or of the policy
    -- change behind it, whichever is later (data, not when it was written)
    last_value(r.published_at) as published_at
from resolved as r
group by r.user_id
