{{ config(
    job_group='eligibility',
    connector_properties=upsert_kafka_topic('ad_policy'),
    execution_config=eligibility_job_options(),
) }}
-- The ad rules and context thresholds in force, as one row: what ad_eligibility and ad_decisions
-- resolve each context against (ctx_resolve_ad_rules), so that a play's or a request's whole answer is
-- computed in one row. Each version is stamped with when a seed last changed it (changed_at, also its
-- Kafka timestamp): ad_decisions joins the version in force at each request's own time.
-- Its state is a few dozen seed rows and never expires (eligibility_job_options): with a TTL, a rule
-- unchanged for a day would drop out of the policy.
with seed_rows as (
    select
        -- the policy's key, 'ads' (macros/context_signals.sql says why it is built from a column)
        {{ policy_key('rule_id') }} as policy_id,
        rule_id,
        action,
        context_signal,
        ad_category,
        priority,
        active_from,
        active_to,
        cast(null as string) as threshold_name,
        cast(null as double) as threshold_value,
        changed_at
    from {{ source('ctx_rules', 'ad_rules_changes') }}

    union all

    select
        {{ policy_key('name') }} as policy_id,
        cast(null as string) as rule_id,
        cast(null as string) as action,
        cast(null as string) as context_signal,
        cast(null as string) as ad_category,
        cast(null as int) as priority,
        cast(null as timestamp(3)) as active_from,
        cast(null as timestamp(3)) as active_to,
        name as threshold_name,
        `value` as threshold_value,
        changed_at
    from {{ source('ctx_rules', 'context_thresholds_changes') }}
)

select
    policy_id,
    {%- for name in context_threshold_names() %}
        max(case when threshold_name = '{{ name }}' then threshold_value end) as {{ name }},
    {%- endfor %}
    -- the cast names the row's fields (ROW(...) alone leaves them EXPR$0, EXPR$1, ...)
    cast(
        array_agg(
            row(rule_id, action, context_signal, ad_category, priority, active_from, active_to)
        ) filter (where rule_id is not null)
        as array <row <
            rule_id string, action string, context_signal string, ad_category string, priority int,
            active_from timestamp(3), active_to timestamp(3)
        >>
    ) as rules,
    max(changed_at) as changed_at
from seed_rows
group by policy_id
