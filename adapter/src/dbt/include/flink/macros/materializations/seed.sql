{% materialization seed, adapter='flink' %}
  {%- set target = this.incorporate(type='table') -%}
  {%- set agate_table = load_agate_table() -%}
  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}
  {{ run_hooks(pre_hooks) }}
  {%- set status = adapter.load_seed(target, model, agate_table, should_full_refresh()) -%}
  {% call noop_statement('main', status, 'INSERT', agate_table.rows | length) %}-- {{ status }}{% endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}
