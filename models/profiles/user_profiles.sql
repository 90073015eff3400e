{{ config(connector_properties=upsert_kafka_topic('user_profiles')) }}
-- The historical profile of each user, recomputed in batch over everything in the input topics
-- (a `dbt run` 20 h after its last build rebuilds it, see dbt_project.yml; `--full-refresh` rebuilds it
-- now): what they usually play and browse.
-- One scan per topic: GROUPING SETS count every facet (genre, audience, ...) in the same pass.
with play_facets as (
    select
        user_id,
        case when grouping(genre) = 0 then 'genre' else 'audience' end as facet,
        coalesce(genre, audience) as facet_value,
        {{ count_events() }} as n
    from {{ ref('stg_plays') }}
    group by grouping sets ((user_id, genre), (user_id, audience))
),

shop_facets as (
    select
        user_id,
        case
            when grouping(category) = 0 then 'category'
            when grouping(target_gender) = 0 then 'gender'
            else 'age_band'
        end as facet,
        coalesce(category, target_gender, target_age_band) as facet_value,
        {{ count_events() }} as n
    from {{ ref('stg_page_views') }}
    where site = 'shop'
    group by grouping sets ((user_id, category), (user_id, target_gender), (user_id, target_age_band))
),

ranked as (
    select
        user_id,
        facet,
        facet_value,
        row_number() over (partition by user_id, facet order by n desc, facet_value asc) as facet_rank
    from (
        select * from play_facets
        union all
        select * from shop_facets
    ) as facets
    -- 'unisex' and 'any' say nothing about whom a user usually shops for
    where facet_value is not null and facet_value not in ('unisex', 'any')
)

select
    user_id,
    array_agg(facet_value) filter (where facet = 'genre' and facet_rank <= 3) as top_genres,
    array_agg(facet_value) filter (where facet = 'audience' and facet_rank <= 2) as top_audiences,
    array_agg(facet_value) filter (where facet = 'category' and facet_rank <= 3) as top_categories,
    max(case when facet = 'gender' and facet_rank = 1 then facet_value end) as usual_gender,
    max(case when facet = 'age_band' and facet_rank = 1 then facet_value end) as usual_age_band,
    cast(current_timestamp as timestamp_ltz(3)) as computed_at
from ranked
group by user_id
