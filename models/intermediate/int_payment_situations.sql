-- Declined payments that open a situation: the first decline of a customer after at least
-- nba_situation_minutes without one (on arrival, processing time), so a customer retrying a declined
-- payment three times in two minutes is one situation with one action. Declines whose own time is
-- already older than that when they arrive are history (back-filled), never a situation to act on.
-- Only declines come this far, so the Python score downstream runs on declines alone.
with current_declines as (
    select *
    from {{ ref('stg_payments') }}
    where
        status = 'declined'
        and event_time > proc_time - interval '{{ var("nba_situation_minutes") }}' minute
)

-- time attributes stay behind: the decisions join these rows with changelog tables (a regular join)
select
    event_id,
    user_id,
    ts,
    amount,
    currency,
    merchant_category,
    merchant_country,
    decline_reason
from (
    select
        *,
        count(*) over recent as recent_declines
    from current_declines
    window recent as (
        partition by user_id
        order by proc_time
        range between interval '{{ var("nba_situation_minutes") }}' minute preceding and current row
    )
) as counted
where recent_declines = 1
