{{ config(
    job_group='shopping',
    connector_properties=upsert_kafka_topic('personas'),
    execution_config=changelog_job_options(state_backend='rocksdb'),
) }}
-- The persona of each shop session: 'gift' when enough of it looks at a segment outside the user's
-- historical profile (shopping for someone else), else 'self'; with the inferred recipient.
with sessions as (
    select
        *,
        {{ share('deviating_views', 'session_views') }} as deviation,
        1 as thresholds_key
    from {{ ref('int_session_segment_mix') }}
),

thresholds as (
    {{ thresholds_row(['gift_min_views', 'gift_min_deviation']) }}
),

scored as (
    select
        s.user_id,
        s.session_id,
        s.recipient_gender,
        s.recipient_age_band,
        s.deviation,
        s.session_views >= t.gift_min_views and s.deviation >= t.gift_min_deviation as is_gift,
        -- confidence grows with evidence: full once the session has gift_min_views views
        {{ clamp01('s.session_views / t.gift_min_views') }} as evidence
    from sessions as s
    inner join thresholds as t on s.thresholds_key = t.thresholds_key
)

select
    user_id,
    session_id,
    case when is_gift then 'gift' else 'self' end as persona,
    recipient_gender,
    recipient_age_band,
    {{ clamp01('deviation') }} as deviation_score,
    {{ clamp01("evidence * case when is_gift then deviation else 1 - deviation end") }} as persona_score,
    cast(current_timestamp as timestamp_ltz(3)) as updated_at
from scored
