-- Each valid ad request once: its first copy. The contract job writes its topics at least once, so a
-- restart writes again the requests after its last checkpoint; ad_decisions would decide such a late copy
-- against versions its temporal joins no longer keep, and serve a different ad than the first copy got.
-- ctx_first_copy (stack/udf) remembers each user's request ids of the last request_replay_horizon_minutes
-- of event time: longer than a contract job's checkpoint interval plus its recovery.
with marked as (
    select
        request_id,
        user_id,
        ts,
        placement,
        event_time,
        ctx_first_copy(
            request_id,
            ts,
            cast({{ var("request_replay_horizon_minutes") }} as bigint) * 60000
        ) over (
            partition by user_id
            order by proc_time
            rows between unbounded preceding and current row
        ) as is_first_copy
    from {{ ref('stg_ad_requests') }}
)

select
    request_id,
    user_id,
    ts,
    placement,
    event_time
from marked
where is_first_copy
