{#
  The context_thresholds seed as one row with a column per threshold name. Models join it (on a
  constant key) instead of hard-coding numbers, so `dbt seed` after editing the CSV changes live
  classifications without a redeploy.
#}
{% macro thresholds_row(names) -%}
  select
    1 as thresholds_key,
    {%- for name in names %}
    MAX(CASE WHEN name = '{{ name }}' THEN `value` END) AS {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
  from {{ ref('context_thresholds') }}
{%- endmacro %}
