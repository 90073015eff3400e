{#
  The event contract of the input topics (README "Event contract"), as data.
  Staging models and the dead-letter model are generated from it, so a field added here is parsed,
  typed and validated everywhere at once.
  Each field: [name, Flink type, required, accepted values or none]. Required is what producers are
  held to (cli/ctxflow/simulate/contract.py): every field but a car view's body_type and trim.
#}
{% macro event_contract(event) %}
  {%- set contracts = {
    'plays': {'topic': 'plays', 'key': 'event_id', 'fields': [
      ['event_id', 'STRING', true, none],
      ['user_id', 'STRING', true, none],
      ['ts', 'BIGINT', true, none],
      ['content_id', 'STRING', true, none],
      ['genre', 'STRING', true, none],
      ['audience', 'STRING', true, ['adult', 'general', 'family', 'kids']],
      ['country', 'STRING', true, none],
      ['device', 'STRING', true, none],
    ]},
    'page_views': {'topic': 'page_views', 'key': 'event_id', 'fields': [
      ['event_id', 'STRING', true, none],
      ['user_id', 'STRING', true, none],
      ['session_id', 'STRING', true, none],
      ['ts', 'BIGINT', true, none],
      ['site', 'STRING', true, ['shop', 'car']],
      ['action', 'STRING', true, ['view', 'search', 'add_to_cart', 'purchase', 'configure', 'finance', 'test_drive']],
      ['item_id', 'STRING', true, none],
      ['category', 'STRING', true, none],
      ['price', 'DECIMAL(12, 2)', true, none],
      ['target_gender', 'STRING', true, ['female', 'male', 'unisex']],
      ['target_age_band', 'STRING', true, ['kids', 'teen', '18-24', '25-34', '35-54', '55+', 'any']],
      ['body_type', 'STRING', false, ['small', 'compact', 'family', 'suv', 'van']],
      ['trim', 'STRING', false, ['standard', 'premium']],
    ]},
    'ad_requests': {'topic': 'ad_requests', 'key': 'request_id', 'fields': [
      ['request_id', 'STRING', true, none],
      ['user_id', 'STRING', true, none],
      ['ts', 'BIGINT', true, none],
      ['placement', 'STRING', true, none],
      ['country', 'STRING', true, none],
    ]},
    'campaign_events': {'topic': 'campaign_events', 'key': 'event_id', 'fields': [
      ['event_id', 'STRING', true, none],
      ['campaign_id', 'STRING', true, none],
      ['ad_id', 'STRING', true, none],
      ['user_id', 'STRING', true, none],
      ['ts', 'BIGINT', true, none],
      ['event_type', 'STRING', true, ['impression', 'click', 'conversion']],
      ['cost', 'DECIMAL(12, 2)', true, none],
      ['revenue', 'DECIMAL(12, 2)', true, none],
    ]},
  } -%}
  {%- if event not in contracts -%}
    {{ exceptions.raise_compiler_error("unknown event type '" ~ event ~ "', expected one of " ~ contracts.keys() | list) }}
  {%- endif -%}
  {{ return(contracts[event]) }}
{% endmacro %}


{# The full topic name of an input or output topic, e.g. topic('plays') -> 'ctx.plays'. #}
{% macro topic(name) -%}
  {{ var('topic_prefix') ~ name }}
{%- endmacro %}
