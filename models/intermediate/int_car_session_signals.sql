-- What each car-site session has looked at and done so far, updated on every event.
select
    session_id,
    max(user_id) as user_id,
    {{ count_events("body_type in ('family', 'suv', 'van')") }} as family_body_views,
    {{ count_events("body_type in ('small', 'compact')") }} as small_body_views,
    {{ count_events("`trim` = 'premium'") }} as premium_trim_views,
    {{ count_events("`trim` = 'standard'") }} as standard_trim_views,
    {{ count_events("action = 'configure'") }} as configurations,
    {{ count_events("action = 'finance'") }} as finance_uses,
    {{ count_events("action = 'test_drive'") }} as test_drives
from {{ ref('stg_page_views') }}
where site = 'car'
group by session_id
