{{ config(
    job_group='shopping',
    connector_properties=upsert_kafka_topic('car_intent'),
    execution_config=changelog_job_options(state_backend='rocksdb'),
) }}
-- A car buyer's session on three axes, each a 0-1 score and a label:
-- size (share of family/suv/van bodies), urgency (test drive, finance, configurator, weighted by
-- the thresholds seed), budget (share of premium trims).
with sessions as (
    select
        *,
        1 as thresholds_key
    from {{ ref('int_car_session_signals') }}
),

thresholds as (
    {{ thresholds_row([
        'car_family_threshold', 'car_urgent_threshold', 'car_premium_threshold',
        'car_weight_test_drive', 'car_weight_finance', 'car_weight_configure',
    ]) }}
),

scored as (
    select
        s.session_id,
        s.user_id,
        {{ share('s.family_body_views', 's.family_body_views + s.small_body_views', '0.5') }} as size_score,
        {{ clamp01(
            "case when s.test_drives > 0 then t.car_weight_test_drive else 0 end"
            ~ " + case when s.finance_uses > 0 then t.car_weight_finance else 0 end"
            ~ " + case when s.configurations > 0 then t.car_weight_configure else 0 end"
        ) }} as urgency_score,
        {{ share('s.premium_trim_views', 's.premium_trim_views + s.standard_trim_views', '0.5') }} as budget_score,
        t.car_family_threshold,
        t.car_urgent_threshold,
        t.car_premium_threshold
    from sessions as s
    inner join thresholds as t on s.thresholds_key = t.thresholds_key
)

select
    session_id,
    user_id,
    case when size_score >= car_family_threshold then 'family' else 'small' end as size_class,
    case when urgency_score >= car_urgent_threshold then 'urgent' else 'exploring' end as urgency,
    case when budget_score >= car_premium_threshold then 'premium' else 'standard' end as budget,
    {{ clamp01('size_score') }} as size_score,
    urgency_score,
    {{ clamp01('budget_score') }} as budget_score,
    cast(current_timestamp as timestamp_ltz(3)) as updated_at
from scored
