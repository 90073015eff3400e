{{ config(connector_properties=upsert_kafka_topic('customer_profiles')) }}
-- The historical profile of each bank or telecom customer, recomputed in batch over everything in the
-- typed topics (rebuilt by a `dbt run` 20 h after its last build, or now with `--full-refresh`): where they usually pay,
-- what they typically spend, how reliably they repay their card, how much mobile data they use a day.
-- The next-best actions read it to decide what is safe to offer.
-- The typed topics are written at-least-once (a restart may write an event twice): each event once here.
with payments as (
    select distinct
        event_id,
        user_id,
        status,
        merchant_category,
        merchant_country,
        amount
    from {{ ref('stg_payments') }}
),

telco_usage as (
    select distinct
        event_id,
        user_id,
        kind,
        data_used_mb,
        event_time
    from {{ ref('stg_telco_usage') }}
),

payment_facts as (
    select
        user_id,
        cast(
            avg(case when status = 'approved' and merchant_category <> 'card_repayment' then amount end)
            as decimal(12, 2)
        ) as typical_spend,
        {{ count_if("merchant_category = 'card_repayment'") }} as repayments,
        {{ count_if("merchant_category = 'card_repayment' and status = 'approved'") }} as repayments_on_time
    from payments
    group by user_id
),

usual_countries as (
    select
        user_id,
        array_agg(merchant_country) as usual_countries
    from (
        select
            user_id,
            merchant_country,
            row_number() over (partition by user_id order by count(*) desc, merchant_country asc) as country_rank
        from payments
        where status = 'approved'
        group by user_id, merchant_country
    ) as ranked
    where country_rank <= 3
    group by user_id
),

data_use as (
    select
        user_id,
        cast(sum(data_used_mb) / count(distinct cast(event_time as date)) as bigint) as usual_daily_data_mb
    from telco_usage
    where kind = 'session'
    group by user_id
),

customers as (
    select user_id from payment_facts
    union
    select user_id from data_use
)

select
    c.user_id,
    coalesce(u.usual_countries, {{ empty_string_array() }}) as usual_countries,
    p.typical_spend,
    coalesce(p.repayments, 0) as repayments,
    -- the share of monthly card repayments that went through: the repayment record
    case when p.repayments > 0 then cast(p.repayments_on_time as double) / p.repayments end as on_time_ratio,
    d.usual_daily_data_mb,
    cast(current_timestamp as timestamp_ltz(3)) as computed_at
from customers as c
left join payment_facts as p on c.user_id = p.user_id
left join usual_countries as u on c.user_id = u.user_id
left join data_use as d on c.user_id = d.user_id
