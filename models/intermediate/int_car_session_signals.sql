-- What each car-site session has looked at and done so far, updated on every event.
select
    session_id,
    max(user_id) as user_id,
    {{ count_if("body_type in ('family', 'suv', 'van')") }} as family_body_views,
    {{ count_if("body_type in ('small', 'compact')") }} as small_body_views,
    {{ count_if("`trim` = 'premium'") }} as premium_trim_views,
    {{ count_if("`trim` = 'standard'") }} as standard_trim_views,
    {{ count_if("action = 'configure'") }} as configurations,
    {{ count_if("action = 'finance'") }} as finance_uses,
    {{ count_if("action = 'test_drive'") }} as test_drives
from {{ ref('stg_page_views') }}
where site = 'car'
group by session_id
