-- Each play with what the same user played in the context window that ends at this play's own time,
-- computed on arrival so that a context reacts to the very play that completes it. Plays whose own
-- event time is already outside the window on arrival (back-filled history) are not part of any
-- current context.
-- Counted by ctx_context_counts (stack/udf) over the user's plays in arrival order, each play once by
-- its event id: the counts depend only on the order of the plays in the topic and their own times, never
-- on how fast the job reads, so a replay after a fault computes the same ones, and a play the contract
-- job writes again after a restart (at-least-once) gets its first counts again. The function keeps the
-- plays of the last two windows (event time), evicting older ones on the user's next play; the user's
-- state has no TTL (the job group `ads`, on the heap: macros/kafka.sql, ads_job_options).
with current_plays as (
    select
        event_id,
        user_id,
        ts,
        genre,
        audience,
        event_time,
        proc_time
    from {{ ref('stg_plays') }}
    where event_time > proc_time - interval '{{ var("context_window_minutes") }}' minute
),

counted as (
    select
        user_id,
        proc_time,
        event_time,
        ctx_context_counts(
            event_id,
            ts,
            audience in ('family', 'kids'),
            genre = 'christmas',
            cast({{ var("context_window_minutes") }} as bigint) * 60000
        ) over recent as counts
    from current_plays
    window recent as (
        partition by user_id
        order by proc_time
        rows between unbounded preceding and current row
    )
)

-- (noqa RF01: sqlfluff reads a ROW column's field, c.counts.x, as a table reference)
select
    c.user_id,
    c.proc_time,
    -- the play's own time, still the event-time attribute: what the context it completes is stamped with
    -- downstream (play_contexts), and the version time of ad_decisions' versioned contexts
    c.event_time as played_at,
    c.counts.recent_plays,  -- noqa: RF01
    c.counts.family_plays,  -- noqa: RF01
    c.counts.christmas_plays  -- noqa: RF01
from counted as c
