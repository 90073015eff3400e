-- No ad decision ever served a category that was blocked for that user at that time.
-- Each decision carries the blocked list of the policy and context in force at the request's time
-- (see models/outputs/ad_decisions.sql), so the check is exact per decision.
select
    request_id,
    user_id,
    served_category,
    blocked_categories
from {{ ref('ad_decisions') }}
where served_category is not null and array_contains(blocked_categories, served_category)
