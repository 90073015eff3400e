{{ config(
    connector_properties=upsert_kafka_topic('ad_eligibility'),
    execution_config=changelog_job_options(),
) }}
-- Which ad categories each listening user may not see (blocked) or should rather see (whitelisted)
-- right now, with the signals and rule ids behind it. Updated on every play and on every rule change.
with rules_per_user as (
    select
        user_id,
        array_agg(ad_category) filter (where action = 'block') as blocked_categories,
        array_agg(ad_category) filter (where action = 'whitelist') as whitelisted_categories,
        array_agg(rule_id) as rule_ids
    from {{ ref('int_user_applicable_rules') }}
    group by user_id
)

select
    s.user_id,
    s.context_signals,
    coalesce(r.blocked_categories, {{ empty_string_array() }}) as blocked_categories,
    coalesce(r.whitelisted_categories, {{ empty_string_array() }}) as whitelisted_categories,
    coalesce(r.rule_ids, {{ empty_string_array() }}) as rule_ids,
    cast(current_timestamp as timestamp_ltz(3)) as updated_at
from {{ ref('int_user_context_signals') }} as s
left join rules_per_user as r on s.user_id = r.user_id
