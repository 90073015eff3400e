-- Per shop session and target segment (gender, age band): how many views, and whether the segment is
-- outside the user's usual one from the historical profile. Views are counted before the profile
-- join, so the join keeps one row per segment in state, not one per view. Users without a profile
-- deviate from nothing.
with segment_views as (
    select
        user_id,
        session_id,
        target_gender,
        target_age_band,
        count(*) as segment_views
    from {{ ref('stg_page_views') }}
    where
        site = 'shop'
        and action in ('view', 'search', 'add_to_cart', 'purchase')
        and target_gender is not null
        and target_age_band is not null
    group by user_id, session_id, target_gender, target_age_band
)

select
    v.user_id,
    v.session_id,
    v.target_gender,
    v.target_age_band,
    v.segment_views,
    case
        when p.user_id is null then 0
        when v.target_gender not in ('unisex') and v.target_gender <> p.usual_gender then 1
        when v.target_age_band not in ('any') and v.target_age_band <> p.usual_age_band then 1
        else 0
    end as is_deviating
from segment_views as v
left join {{ ref('user_profiles') }} as p
    on v.user_id = p.user_id
