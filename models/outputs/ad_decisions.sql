{{ config(
    job_group='ads',
    connector_properties=kafka_append_topic('ad_decisions', 'request_id', 'at-least-once'),
    execution_config=ads_job_options(),
) }}
-- In the job group `ads`, with its state on the heap (macros/kafka.sql, ads_job_options): the temporal join
-- puts and deletes a state entry for every version and request, and in RocksDB each later lookup of that
-- user's entries steps over the deleted ones until a compaction drops them (after a drain, 66 % of the
-- join's CPU was RocksDB iteration: make bench's flame graph). On the heap its state is per user one
-- version, the ids of the last requests (int_ad_requests_first_copies) and the last plays
-- (int_user_recent_listening, shared with play_contexts), so it is kept without a TTL: a user's version
-- must outlive any quiet day.
-- depends_on: {{ ref('ad_policy') }}
-- One decision per ad request: a whitelisted category when the user's context has one, otherwise the
-- first category of the serving order that is not blocked for the user at the request's time. Decided
-- from data only: the listener's context after their last play before the request and the policy in
-- force at the request's time (ad_policy), both joined as of the request's own time (event-time temporal
-- joins), and resolved by ctx_resolve_ad_rules in one row. The contexts are computed in this job (the
-- OVER window that also writes play_contexts), not read back from ctx.play_contexts: in one job the
-- plays' watermark travels with the contexts, so a request waits for
-- the contexts of every play up to its time even while another job restarts, and through a quiet spell
-- of the plays or of the requests (the plays count as idle only after decision_plays_idle_timeout_seconds,
-- the requests never: dbt_project.yml says why).
-- Each request is decided once (its first copy). A replay after a fault finds the same messages and
-- writes the same decision (at-least-once, idempotent by request_id).
with requests as (
    select
        request_id,
        user_id,
        ts,
        event_time,
        -- the policy's key, 'ads' (macros/context_signals.sql says why it is built from a column)
        {{ policy_key('request_id') }} as policy_id
    from {{ ref('int_ad_requests_first_copies') }}
),

listening as (
    select
        user_id,
        recent_plays,
        family_plays,
        christmas_plays,
        played_at
    from {{ ref('int_user_recent_listening') }}
),

-- The versioned tables: the newest row per key by its time, from append streams.
contexts as (
    {{ versioned_table('listening', 'user_id', 'played_at') }}
),

policies as (
    {{ versioned_table(source('ctx_published', 'ad_policy_versions'), 'policy_id', 'changed_at') }}
),

in_context as (
    select
        r.request_id,
        r.user_id,
        r.ts,
        r.event_time,
        -- noqa: disable=PRS
        {{ context_signals('c', 'p') }} as context_signals,
        -- noqa: enable=PRS
        p.rules
    from requests as r
    left join contexts for system_time as of r.event_time as c
        on r.user_id = c.user_id
    left join policies for system_time as of r.event_time as p
        on r.policy_id = p.policy_id
),

decided as (
    select
        request_id,
        user_id,
        ts,
        ctx_resolve_ad_rules(context_signals, cast(event_time as timestamp(3)), rules) as eligibility
    from in_context
)

-- (noqa RF01: sqlfluff reads a ROW column's field, d.eligibility.x, as a table reference)
select
    d.request_id,
    d.user_id,
    d.ts,
    case
        when cardinality(d.eligibility.whitelisted_categories) > 0 then d.eligibility.whitelisted_categories[1]  -- noqa: RF01
        {%- for category in var('serving_order') %}
            when not array_contains(d.eligibility.blocked_categories, '{{ category }}') then '{{ category }}'  -- noqa: RF01
        {%- endfor %}
    end as served_category,
    d.eligibility.blocked_categories,  -- noqa: RF01
    cast(current_timestamp as timestamp_ltz(3)) as decided_at
from decided as d
