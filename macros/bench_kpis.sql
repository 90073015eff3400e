{#
  The benchmark's widened KPI layer (`make bench`, cli/ctxflow/bench/kpi_layer.py): N per-minute KPI
  aggregations generated from a spec, the way a telecom platform keeps 1,500 KPIs as data rather than
  as hand-written SQL, spread over M models in G job groups (one Flink job per group once the adapter
  deploys job groups as statement sets; one job per model before that).
  Disabled unless --vars '{bench_kpi_width: N, bench_kpi_models: M, bench_kpi_groups: G}' asks for them.
#}

{# The spec: every aggregation is a measure over the plays of one (genre, audience, device) slice. #}
{% macro bench_kpi_spec(width) -%}
  {%- set genres = ['pop', 'rock', 'romance', 'rnb', 'hiphop', 'jazz', 'classical', 'electronic', 'country',
                    'christmas', 'kids_songs', 'lullabies'] -%}
  {%- set audiences = ['adult', 'general', 'family', 'kids'] -%}
  {%- set devices = ['mobile', 'desktop', 'tablet', 'smart_speaker', 'tv'] -%}
  {#- 7 measures x 240 slices = 1,680 aggregations at most -#}
  {%- set measures = ['count(*)', 'count(distinct user_id)', 'min(ts)', 'max(ts)', 'avg(ts)',
                      'stddev_pop(ts)', 'count(distinct content_id)'] -%}
  {%- if width | int > measures | length * 240 -%}
    {{ exceptions.raise_compiler_error("bench_kpi_width is at most " ~ (measures | length * 240)) }}
  {%- endif -%}
  {%- set spec = [] -%}
  {%- for measure in measures -%}
    {%- for genre in genres -%}
      {%- for audience in audiences -%}
        {%- for device in devices -%}
          {%- do spec.append({
            'name': 'kpi_' ~ '%04d' | format(spec | length),
            'measure': measure,
            'filter': "genre = '" ~ genre ~ "' and audience = '" ~ audience ~ "' and device = '" ~ device ~ "'",
          }) -%}
        {%- endfor -%}
      {%- endfor -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(spec[:width | int]) }}
{%- endmacro %}


{# True when model number `index` (1-based) of the widened layer is asked for. #}
{% macro bench_kpi_enabled(index) -%}
  {{ return(var('bench_kpi_width', 0) | int > 0 and var('bench_kpi_models', 1) | int >= index) }}
{%- endmacro %}


{# The job group of model `index`: models are dealt round-robin into bench_kpi_groups groups. #}
{% macro bench_kpi_group(index) -%}
  {{ return('bench_kpis_g' ~ ((index - 1) % (var('bench_kpi_groups', 1) | int) + 1)) }}
{%- endmacro %}


{#
  Model `index` of `bench_kpi_models`: its share of the spec (every M-th aggregation) as per-minute
  (TUMBLE, event time) KPI columns per country, over a bounded read of the typed plays topic, so the
  job finishes when it has read the backlog and Flink's own vertex times give its throughput.
#}
{% macro bench_kpi_model(index) -%}
  {%- set models = var('bench_kpi_models', 1) | int -%}
  {%- set mine = [] -%}
  {%- for kpi in bench_kpi_spec(var('bench_kpi_width', 0)) -%}
    {%- if loop.index0 % models == index - 1 -%}{%- do mine.append(kpi) -%}{%- endif -%}
  {%- endfor %}
  {%- set slices = [] -%}
  {%- for kpi in mine if kpi.filter not in slices -%}{%- do slices.append(kpi.filter) -%}{%- endfor %}
  -- only the plays some KPI of this model counts (24 of the 240 slices at 50 models): each FILTER still
  -- picks its own, and a play no KPI counts is neither buffered nor aggregated in the window. As in any
  -- GROUP BY, a country-minute with none of these slices has no row.
  with plays as (
    select * from {{ source('bench_typed', 'bench_valid_plays') }}
    where
      {%- for slice in slices %}
      {{ "or " if not loop.first }}({{ slice }})
      {%- endfor %}
  )

  select
    country,
    window_start,
    window_end,
    {%- for kpi in mine %}
    {{ kpi.measure }} filter (where {{ kpi.filter }}) as {{ kpi.name }}{{ "," if not loop.last }}
    {%- endfor %}
  from table(tumble(table plays, descriptor(event_time), interval '1' minute))
  group by country, window_start, window_end
{%- endmacro %}
