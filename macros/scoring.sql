{# Reusable arithmetic of scores and KPIs. Every score is a DOUBLE in [0, 1]. #}

{# numerator / denominator as a DOUBLE, or `otherwise` when the denominator is 0. #}
{% macro share(numerator, denominator, otherwise='0.0') -%}
  CASE WHEN ({{ denominator }}) = 0 THEN {{ otherwise }}
       ELSE CAST({{ numerator }} AS DOUBLE) / ({{ denominator }}) END
{%- endmacro %}


{% macro clamp01(expression) -%}
  LEAST(1.0, GREATEST(0.0, CAST({{ expression }} AS DOUBLE)))
{%- endmacro %}


{# A typed empty ARRAY<STRING> (Flink has no literal for it). #}
{% macro empty_string_array() -%}
  ARRAY_REMOVE(ARRAY[''], '')
{%- endmacro %}


{# Counts of rows where `condition` holds (works on append and changelog inputs alike). #}
{% macro count_if(condition) -%}
  SUM(CASE WHEN {{ condition }} THEN 1 ELSE 0 END)
{%- endmacro %}


{#
  Counts of distinct events (where `condition` holds, if given), for inputs written at-least-once
  (README, "Delivery guarantees"): after a process dies, the contract job writes again what came after
  its last checkpoint, and counting event ids rather than rows makes every count come out the same as
  in a run without the fault. It keeps each counted id in state: inputs written exactly-once
  (valid.page_views, valid.campaign_events) count rows instead (count_if).
#}
{% macro count_events(condition=none, id='event_id') -%}
  {%- if condition is none -%}
    COUNT(DISTINCT {{ id }})
  {%- else -%}
    COUNT(DISTINCT CASE WHEN {{ condition }} THEN {{ id }} END)
  {%- endif -%}
{%- endmacro %}


{#
  Campaign KPIs from per-window sums: a ratio is NULL when its denominator is zero, money keeps two
  decimals (DECIMAL arithmetic, so results match a reference to the cent).
#}
{% macro campaign_kpi_columns() -%}
  impressions,
  clicks,
  conversions,
  spend,
  revenue,
  CAST(CASE WHEN impressions = 0 THEN NULL ELSE CAST(clicks AS DOUBLE) / impressions END AS DOUBLE) AS ctr,
  CAST(CASE WHEN clicks = 0 THEN NULL ELSE CAST(conversions AS DOUBLE) / clicks END AS DOUBLE) AS cvr,
  CAST(CASE WHEN conversions = 0 THEN NULL ELSE spend / conversions END AS DECIMAL(14, 2)) AS cpa,
  CAST(CASE WHEN spend = 0 THEN NULL ELSE CAST(revenue AS DOUBLE) / CAST(spend AS DOUBLE) END AS DOUBLE) AS roas
{%- endmacro %}


{# Sums per window of the campaign events (the inputs of campaign_kpi_columns). #}
{% macro campaign_window_sums() -%}
  CAST({{ count_if("event_type = 'impression'") }} AS BIGINT) AS impressions,
  CAST({{ count_if("event_type = 'click'") }} AS BIGINT) AS clicks,
  CAST({{ count_if("event_type = 'conversion'") }} AS BIGINT) AS conversions,
  CAST(COALESCE(SUM(cost), 0) AS DECIMAL(14, 2)) AS spend,
  CAST(COALESCE(SUM(revenue), 0) AS DECIMAL(14, 2)) AS revenue
{%- endmacro %}
