-- Shop views with the user's usual segment from the historical profile, and whether this view's
-- target segment (gender, age band) is outside it. Users without a profile deviate from nothing.
select
    v.user_id,
    v.session_id,
    v.target_gender,
    v.target_age_band,
    p.usual_gender,
    p.usual_age_band,
    case
        when p.user_id is null then 0
        when v.target_gender not in ('unisex') and v.target_gender <> p.usual_gender then 1
        when v.target_age_band not in ('any') and v.target_age_band <> p.usual_age_band then 1
        else 0
    end as is_deviating
from {{ ref('stg_page_views') }} as v
left join {{ ref('user_profiles') }} as p
    on v.user_id = p.user_id
where
    v.site = 'shop'
    and v.action in ('view', 'search', 'add_to_cart', 'purchase')
    and v.target_gender is not null
    and v.target_age_band is not null
