{{ config(
    connector_properties=kafka_append_topic('ad_decisions', 'request_id', 'at-least-once'),
    execution_config={'state.backend.type': 'hashmap'},
) }}
-- A job of its own, with its state on the heap, apart from the `ads` group (RocksDB) that publishes the
-- versions it joins: the temporal join puts and deletes a state entry for every version and request,
-- and in RocksDB each later lookup of that user's entries steps over the deleted ones until a compaction
-- drops them (after a drain, 66 % of the join's CPU was RocksDB iteration: make bench's flame graph).
-- On the heap its state is one version per user plus the requests and versions the watermark has not
-- passed yet, so it is kept without a TTL: a user's version must outlive any quiet day.
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

-- The user's eligibility as a versioned table built from the topic's versions read as an append stream:
-- a tombstone carries no version and is skipped, so the version before it stays in effect. Read as an
-- upsert table, a tombstone deleted the user's eligibility until their next version, and requests in
-- between were decided with nothing blocked (the aggregation behind ad_eligibility publishes one,
-- rarely, when a mini-batch closes between the retraction of a user's context and its replacement).
-- The newest version by its time wins; on equal times the later one.
versions as (
    select
        user_id,
        blocked_categories,
        whitelisted_categories,
        published_at
    from (
        select
            *,
            row_number() over (partition by user_id order by published_at desc) as recency
        from {{ source('ctx_published', 'ad_eligibility_versions') }}
    ) as newest_first
    where recency = 1
),

decided as (
    select
        r.request_id,
        r.user_id,
        r.ts,
        coalesce(e.blocked_categories, {{ empty_string_array() }}) as blocked_categories,
        coalesce(e.whitelisted_categories, {{ empty_string_array() }}) as whitelisted_categories
    from requests as r
    left join versions for system_time as of r.event_time as e
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
