{#- Its rows become visible at checkpoints (exactly-once), so Flink's default network buffer timeout,
    not the profile's 10 ms, whose flushing threads cost CPU (macros/kafka.sql, changelog_job_options). -#}
{{ config(
    connector_properties=kafka_append_topic('campaign_kpis', 'campaign_id', 'exactly-once'),
    execution_config={'execution.buffer-timeout': '100 ms'},
) }}
-- Campaign KPIs in event time: each minute (TUMBLE) and the running total of the day so far, emitted
-- every minute (CUMULATE). A window is final once the watermark passes it, i.e. after the allowed
-- lateness; late events inside that lateness are counted, later ones are not.
with per_minute as (
    select
        campaign_id,
        'minute' as grain,
        window_start,
        window_end,
        {{ campaign_window_sums() }}
    from
        table(
            tumble(table {{ ref('stg_campaign_events') }}, descriptor (event_time), interval '1' minute)
        )
    group by campaign_id, window_start, window_end
),

day_to_date as (
    select
        campaign_id,
        'day_to_date' as grain,
        window_start,
        window_end,
        {{ campaign_window_sums() }}
    from
        table(
            cumulate(
                table {{ ref('stg_campaign_events') }}, descriptor (event_time), interval '1' minute, interval '1' day
            )
        )
    group by campaign_id, window_start, window_end
),

windows as (
    select * from per_minute
    union all
    select * from day_to_date
)

select
    campaign_id,
    grain,
    window_start,
    window_end,
    {{ campaign_kpi_columns() }}
from windows
