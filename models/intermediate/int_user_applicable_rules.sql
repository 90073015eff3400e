-- The ad rules that apply to each user right now: one row per user and ad category, the rule with
-- the highest priority winning (a block before a whitelist on equal priority). A rule applies if it is
-- active at the time of the play that set the context (event time: a replay decides the same).
-- The rules are read from the seed's topic with the time each was written (rule_changed_at).
-- depends_on: {{ ref('ad_rules') }}
with user_signals as (
    select
        s.user_id,
        signal.context_signal,
        s.played_at
    from {{ ref('int_user_context_signals') }} as s
    cross join unnest(s.context_signals) as signal (context_signal)
),

matching_rules as (
    select
        u.user_id,
        r.rule_id,
        r.action,
        r.ad_category,
        r.priority,
        r.changed_at as rule_changed_at
    from user_signals as u
    inner join {{ source('ctx_rules', 'ad_rules_changes') }} as r
        on u.context_signal = r.context_signal
    where
        r.active_from <= cast(u.played_at as timestamp(3))
        and (r.active_to is null or r.active_to > cast(u.played_at as timestamp(3)))
)

select
    user_id,
    rule_id,
    action,
    ad_category,
    priority,
    rule_changed_at
from (
    select
        *,
        row_number() over (partition by user_id, ad_category order by priority desc, action asc) as rule_rank
    from matching_rules
) as ranked_rules
where rule_rank = 1
