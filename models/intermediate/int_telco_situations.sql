-- Exhausted data plans that open a situation: the first plan_exhausted of a customer within
-- nba_recent_topup_minutes (on arrival), with the customer's last top-up in that window, so that
-- someone who has just topped up is not offered a pack. Events already older than
-- nba_situation_minutes when they arrive are history, never a situation to act on.
with current_usage as (
    select *
    from {{ ref('stg_telco_usage') }}
    where event_time > proc_time - interval '{{ var("nba_situation_minutes") }}' minute
),

windowed as (
    select
        *,
        {{ count_if("kind = 'plan_exhausted'") }} over recent as recent_exhaustions,
        max(case when kind = 'topup' then ts end) over recent as last_topup_ts
    from current_usage
    window recent as (
        partition by user_id
        order by proc_time
        range between interval '{{ var("nba_recent_topup_minutes") }}' minute preceding and current row
    )
)

-- time attributes stay behind: the decisions join these rows with changelog tables (a regular join)
select
    event_id,
    user_id,
    ts,
    country,
    roaming,
    last_topup_ts
from windowed
where kind = 'plan_exhausted' and recent_exhaustions = 1
