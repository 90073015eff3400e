-- Each play with what the same user played in the last context window, computed on arrival
-- (processing time) so that a context reacts to the very play that completes it. Plays whose own
-- event time is already outside the window (back-filled history) are not part of any current context.
-- The plays arrive deduplicated by the contract layer, and each is counted by its event id, so a play the
-- contract job writes again after a restart (at-least-once) counts once too.
with current_plays as (
    select
        event_id,
        user_id,
        genre,
        audience,
        event_time,
        proc_time
    from {{ ref('stg_plays') }}
    where event_time > proc_time - interval '{{ var("context_window_minutes") }}' minute
)

select
    user_id,
    proc_time,
    -- the play's own time: what the context it completes is stamped with downstream (ad_eligibility)
    cast(event_time as timestamp_ltz(3)) as played_at,
    {{ count_events() }} over recent as recent_plays,
    {{ count_events("audience in ('family', 'kids')") }} over recent as family_plays,
    {{ count_events("genre = 'christmas'") }} over recent as christmas_plays
from current_plays
window recent as (
    partition by user_id
    order by proc_time
    range between interval '{{ var("context_window_minutes") }}' minute preceding and current row
)
