{#
  The event contract of the input topics (README "Event contract") is data: the var `event_contract`
  in dbt_project.yml, read here by the models and by the simulator's Python
  (cli/ctxflow/core/contract.py). The contract layer (models/contract/) parses, types and
  validates every event against it, so a field added there is checked everywhere at once.
#}

{# The names of the contract's input events, in the order of dbt_project.yml. #}
{% macro contract_events() %}
  {{ return(var('event_contract').keys() | list) }}
{% endmacro %}


{# One event's contract: {key, fields: [{name, type, required (default true), allowed}]}. #}
{% macro event_contract(event) %}
  {%- set contracts = var('event_contract') -%}
  {%- if event not in contracts -%}
    {{ exceptions.raise_compiler_error("unknown event type '" ~ event ~ "', expected one of " ~ contracts.keys() | list) }}
  {%- endif -%}
  {{ return(contracts[event]) }}
{% endmacro %}


{# The full topic name of an input or output topic, e.g. topic('plays') -> 'ctx.plays'. #}
{% macro topic(name) -%}
  {{ var('topic_prefix') ~ name }}
{%- endmacro %}


{# The typed, validated, deduplicated topic of an input event, e.g. 'ctx.valid.plays'. #}
{% macro valid_topic(event) -%}
  {{ topic('valid.' ~ event) }}
{%- endmacro %}


{# The contract's field names of one event, quoted, as a select list. #}
{% macro contract_columns(event) -%}
  {%- for f in event_contract(event).fields -%}
    {{ adapter.quote(f.name) }}{{ ', ' if not loop.last }}
  {%- endfor -%}
{%- endmacro %}
