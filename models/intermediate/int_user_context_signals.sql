-- The current context of each user who is listening: their latest play's window counts, turned
-- into named signals with the thresholds seed. One row per user, updated on every play.
with latest_window as (
    select
        user_id,
        recent_plays,
        family_plays,
        christmas_plays,
        played_at,
        1 as thresholds_key
    from (
        select
            *,
            row_number() over (partition by user_id order by proc_time desc) as recency
        from {{ ref('int_user_recent_listening') }}
    ) as newest_first
    where recency = 1
),

thresholds as (
    {{ thresholds_row([
        'family_context_min_plays', 'family_context_min_share',
        'christmas_mood_min_plays', 'christmas_mood_min_share',
    ]) }}
),

flags as (
    select
        w.user_id,
        w.recent_plays,
        w.family_plays,
        w.christmas_plays,
        w.played_at,
        w.family_plays >= t.family_context_min_plays
        and {{ share('w.family_plays', 'w.recent_plays') }} >= t.family_context_min_share as is_family_context,
        w.christmas_plays >= t.christmas_mood_min_plays
        and {{ share('w.christmas_plays', 'w.recent_plays') }} >= t.christmas_mood_min_share as is_christmas_mood
    from latest_window as w
    inner join thresholds as t on w.thresholds_key = t.thresholds_key
)

select
    user_id,
    recent_plays,
    family_plays,
    christmas_plays,
    -- sqlfluff's flink dialect cannot parse an ARRAY constructor of more than one element
    -- noqa: disable=PRS
    array_remove(
        array[
            case when is_family_context then 'family_context' else '' end,
            case when is_christmas_mood then 'christmas_mood' else '' end
        ],
        ''
    ) as context_signals,
    -- noqa: enable=PRS
    played_at
from flags
