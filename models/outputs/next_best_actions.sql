{#- PyFlink sends rows to its Python worker in bundles, flushed after 1 s by default: a decision is due
    within moments of its event, and declines are few, so a bundle is flushed every 10 ms. For the same
    reason records leave the network buffers between its tasks after the profile's 10 ms, not after the
    mini-batch's 100 ms that changelog jobs otherwise wait there (macros/kafka.sql). -#}
{%- set job_options = changelog_job_options(buffer_timeout=false) -%}
{%- do job_options.update({'python.fn-execution.bundle.time': '10'}) -%}
{{ config(
    job_group='nba',
    connector_properties=upsert_kafka_topic('next_best_actions'),
    execution_config=job_options,
) }}
-- One next-best action per customer situation, decided within moments of the event that opened it:
-- a declined payment (bank) or an exhausted data plan (telecom). Context is real time (abroad: the
-- payment's or session's country is not home; the local time of day; the decline against the card
-- limit), eligibility comes from the historical profile and the offers catalogue (seeds nba_offers and
-- nba_quiet_hours, changed with `dbt seed`, no redeploy). The repayment risk is a Python UDF (pyudf/, PyFlink) that
-- runs on declines only. Fraud gets a fraud check and an opted-out customer nothing, never an offer.
with opened as (
    -- both kinds of situation in one stream, joined below with the customer's record and profile
    select
        event_id as situation_id,
        user_id,
        cast('bank' as string) as kind,
        merchant_country as country,
        cast(null as boolean) as roaming,
        cast(null as bigint) as last_topup_ts,
        decline_reason,
        amount,
        currency,
        merchant_category,
        ts as trigger_ts
    from {{ ref('int_payment_situations') }}

    union all

    select
        event_id as situation_id,
        user_id,
        cast('telco' as string) as kind,
        country,
        roaming,
        last_topup_ts,
        cast(null as string) as decline_reason,
        cast(null as decimal(12, 2)) as amount,
        cast(null as string) as currency,
        cast(null as string) as merchant_category,
        ts as trigger_ts
    from {{ ref('int_telco_situations') }}
),

known as (
    select
        s.*,
        c.home_country,
        c.time_zone,
        c.card_limit,
        c.credit_band,
        c.plan,
        coalesce(c.opted_out, false) as opted_out,
        p.typical_spend,
        p.on_time_ratio,
        coalesce(p.repayments, 0) as repayments,
        p.usual_daily_data_mb
    from opened as s
    inner join {{ source('ctx_reference', 'customers') }} as c on s.user_id = c.user_id
    left join {{ ref('customer_profiles') }} as p on s.user_id = p.user_id
),

-- scored per kind. Flink pushes each kind's filter below the joins (one join per kind in the plan),
-- so the Python UDF sees declines only.
bank as (
    select
        *,
        case when country <> home_country then 'declined_abroad' else 'declined_at_home' end as situation,
        repayment_risk(amount, card_limit, typical_spend, on_time_ratio, credit_band) as score,
        'declined ' || decline_reason || ': ' || currency || ' ' || cast(amount as string)
        || ' at ' || merchant_category || ' in ' || country || ' (home ' || home_country
        || '); card limit ' || cast(card_limit as string) || ', credit band ' || credit_band
        || ', repaid ' || cast(repayments as string) || ' card bills' as facts
    from known
    where kind = 'bank'
),

telco as (
    select
        *,
        case
            when roaming or country <> home_country then 'data_exhausted_abroad' else 'data_exhausted_at_home'
        end as situation,
        -- how heavy a mobile data user they are (usual daily data against 2 GB, capped at 1)
        least(1.0, cast(coalesce(usual_daily_data_mb, 0) as double) / 2048) as score,
        'data plan exhausted in ' || country || case when roaming then ' (roaming' else ' (not roaming' end
        || ', home ' || home_country || '); plan ' || plan || ', usually '
        || cast(coalesce(usual_daily_data_mb, 0) as string) || ' MB a day'
        || case when last_topup_ts is not null then '; topped up already' else '' end as facts
    from known
    where kind = 'telco'
),

localised as (
    select
        k.*,
        -- the customer's local time of day, from their time zone
        substring(
            convert_tz(date_format(to_timestamp_ltz(k.trigger_ts, 3), 'yyyy-MM-dd HH:mm:ss'), 'UTC', k.time_zone), 12, 5
        ) as local_time,
        -- the quiet hours of the customer's home country, else those of every other country (`*`)
        coalesce(q.quiet_from_hour, d.quiet_from_hour) as quiet_from_hour,
        coalesce(q.quiet_to_hour, d.quiet_to_hour) as quiet_to_hour,
        k.opted_out or coalesce(k.decline_reason, '') in ('fraud_suspected', 'card_blocked') as offers_barred
    from (
        select
            *,
            '*' as every_country
        from (
            select * from bank
            union all
            select * from telco
        ) as both_kinds
    ) as k
    left join {{ ref('nba_quiet_hours') }} as q on k.home_country = q.country
    left join {{ ref('nba_quiet_hours') }} as d on k.every_country = d.country
),

situations as (
    select
        *,
        -- quiet hours from 21 to 8 cross midnight; equal hours: none
        case
            when quiet_from_hour < quiet_to_hour then local_hour >= quiet_from_hour and local_hour < quiet_to_hour
            when quiet_from_hour > quiet_to_hour then local_hour >= quiet_from_hour or local_hour < quiet_to_hour
            else false
        end as in_quiet_hours,
        cast(quiet_from_hour as string) || ':00 to ' || cast(quiet_to_hour as string) || ':00' as quiet_hours
    from (
        select
            *,
            cast(substring(local_time, 1, 2) as int) as local_hour
        from localised
    ) as with_hour
),

candidates as (
    select
        s.*,
        o.offer_id,
        o.action as offer_action,
        o.max_amount,
        o.pack_mb,
        o.valid_minutes,
        o.description as offer_description,
        -- bank offers by priority; roaming packs: the smallest that covers the usual day, else the largest
        case
            when o.action <> 'offer_roaming_pack' then o.priority
            when o.pack_mb >= coalesce(s.usual_daily_data_mb, 0) then o.pack_mb
            else 1000000000 - o.pack_mb
        end as offer_rank
    from situations as s
    left join {{ ref('nba_offers') }} as o
        on
            s.situation = o.situation
            and not s.offers_barred
            and not coalesce(s.in_quiet_hours, false)
            and s.last_topup_ts is null
            and o.decline_reason in ('any', coalesce(s.decline_reason, 'any'))
            and position(s.credit_band in o.credit_bands) > 0
            and position(s.plan in o.plans) > 0
            and s.score <= o.max_risk
            and (
                o.action <> 'raise_card_limit'
                or cast(ceiling((s.card_limit + s.amount) / 500) * 500 as decimal(12, 2)) <= o.max_amount
            )
            and (o.action <> 'offer_instant_loan' or cast(ceiling(s.amount / 50) * 50 as decimal(12, 2)) <= o.max_amount)
),

chosen as (
    select *
    from (
        select
            *,
            row_number() over (partition by user_id, situation_id order by offer_rank asc) as choice
        from candidates
    ) as ranked
    where choice = 1
)

select
    user_id,
    situation_id,
    situation,
    case
        when coalesce(decline_reason, '') = 'fraud_suspected' then 'fraud_check'
        when offer_id is null then 'none'
        else offer_action
    end as action,
    offer_id,
    case
        when offer_action = 'raise_card_limit'
            then cast(ceiling((card_limit + amount) / 500) * 500 as decimal(12, 2))
    end as new_limit,
    case when offer_action = 'offer_instant_loan' then cast(ceiling(amount / 50) * 50 as decimal(12, 2)) end as loan_amount,
    case when offer_action = 'offer_roaming_pack' then pack_mb end as pack_mb,
    case when offer_action = 'offer_roaming_pack' then max_amount end as pack_price,
    facts || '; ' || local_time || ' local; ' || case
        when coalesce(decline_reason, '') = 'fraud_suspected' then 'fraud suspected: check with the customer, no offer'
        when opted_out then 'opted out of offers: none'
        when decline_reason = 'card_blocked' then 'card blocked: no offer'
        when last_topup_ts is not null then 'already topped up: none'
        when in_quiet_hours then 'quiet hours in ' || home_country || ' (' || quiet_hours || ' local): no offer now'
        when offer_id is null then 'no eligible offer (situation, risk, band, plan or amount)'
        else offer_description
    end as reason,
    score,
    trigger_ts,
    cast(current_timestamp as timestamp_ltz(3)) as decided_at,
    -- sqlfluff's flink dialect cannot parse TIMESTAMPADD
    cast(timestampadd(minute, coalesce(valid_minutes, 0), current_timestamp) as timestamp_ltz(3)) as expires_at  -- noqa: PRS,LT01
from chosen
