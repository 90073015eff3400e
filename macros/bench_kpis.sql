{#
  The benchmark's widened KPI layer (`make bench`, cli/ctxflow/bench): N aggregations generated from a
  spec, the way a telecom platform keeps 1,500 KPIs as data rather than as hand-written SQL.
  Disabled unless --vars '{bench_kpi_width: N}' asks for them; bench_kpi_models spreads the N
  aggregations over that many models (one Flink job each), to show what a job per model costs.
#}

{# The spec: every aggregation is a measure over the plays of one (genre, audience, device) slice. #}
{% macro bench_kpi_spec(width) -%}
  {%- set genres = ['pop', 'rock', 'romance', 'rnb', 'hiphop', 'jazz', 'classical', 'electronic', 'country',
                    'christmas', 'kids_songs', 'lullabies'] -%}
  {%- set audiences = ['adult', 'general', 'family', 'kids'] -%}
  {%- set devices = ['mobile', 'desktop', 'tablet', 'smart_speaker', 'tv'] -%}
  {%- set measures = ['count(*)', 'max(ts)', 'min(ts)'] -%}
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
  {{ return(spec[:width]) }}
{%- endmacro %}


{# True when model number `index` (1-based) of the widened layer is asked for. #}
{% macro bench_kpi_enabled(index) -%}
  {{ return(var('bench_kpi_width', 0) | int > 0 and var('bench_kpi_models', 1) | int >= index) }}
{%- endmacro %}


{#
  Model `index` of `bench_kpi_models`: its share of the spec as per-minute (TUMBLE, event time) KPI
  columns per country, over a bounded read of the plays topic, so the job finishes when it has
  caught up and Flink's own vertex durations give its throughput.
#}
{% macro bench_kpi_model(index) -%}
  {%- set models = var('bench_kpi_models', 1) | int -%}
  {%- set spec = bench_kpi_spec(var('bench_kpi_width', 0) | int) -%}
  {%- set mine = [] -%}
  {%- for kpi in spec -%}
    {%- if loop.index0 % models == index - 1 -%}{%- do mine.append(kpi) -%}{%- endif -%}
  {%- endfor %}
  with plays as (
    select * from {{ ref('stg_plays') }}
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
