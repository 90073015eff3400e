-- Per shop session: how many views, how many outside the user's usual segment, and the segment
-- (gender, age band) the session looks at most: the inferred recipient.
with dominant_segment as (
    select
        user_id,
        session_id,
        target_gender as recipient_gender,
        target_age_band as recipient_age_band,
        segment_views
    from (
        select
            *,
            row_number() over (
                partition by user_id, session_id order by segment_views desc, target_gender asc, target_age_band asc
            ) as segment_rank
        from {{ ref('int_shop_session_segments') }}
    ) as ranked_segments
    where segment_rank = 1
),

session_totals as (
    select
        user_id,
        session_id,
        sum(segment_views) as session_views,
        sum(segment_views * is_deviating) as deviating_views
    from {{ ref('int_shop_session_segments') }}
    group by user_id, session_id
)

select
    t.user_id,
    t.session_id,
    t.session_views,
    t.deviating_views,
    d.recipient_gender,
    d.recipient_age_band,
    {{ share('d.segment_views', 't.session_views') }} as recipient_share
from session_totals as t
inner join dominant_segment as d
    on t.user_id = d.user_id and t.session_id = d.session_id
