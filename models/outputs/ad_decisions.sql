{{ config(
    job_group='ads',
    connector_properties=kafka_append_topic('ad_decisions', 'request_id', 'at-least-once'),
) }}
-- depends_on: {{ ref('ad_eligibility') }}
-- One decision per ad request: a whitelisted category when the user's context has one, otherwise the
-- first category of the serving order that is not blocked for the user at the request's time.
with requests as (
    select
        request_id,
        user_id,
        ts,
        placement,
        event_time
    from {{ ref('stg_ad_requests') }}
),

decided as (
    select
        r.request_id,
        r.user_id,
        r.ts,
        coalesce(e.blocked_categories, {{ empty_string_array() }}) as blocked_categories,
        coalesce(e.whitelisted_categories, {{ empty_string_array() }}) as whitelisted_categories
    from requests as r
    left join {{ source('ctx_published', 'ad_eligibility_versions') }} for system_time as of r.event_time as e
        on r.user_id = e.user_id
)

select
    request_id,
    user_id,
    ts,
    case
        when cardinality(whitelisted_categories) > 0 then whitelisted_categories[1]
        {%- for category in var('serving_order') %}
            when not array_contains(blocked_categories, '{{ category }}') then '{{ category }}'
        {%- endfor %}
    end as served_category,
    blocked_categories,
    cast(current_timestamp as timestamp_ltz(3)) as decided_at
from decided
