{#
  The listening context's named signals: the one definition, used where a context meets the policy
  (ad_eligibility per user, ad_decisions per request). A signal is on when its plays in the context
  window reach both the count and the share the context_thresholds seed sets (carried by ad_policy).
  Each signal names the thresholds it reads: <signal>_min_plays and <signal>_min_share.
#}
{% macro context_signal_counts() -%}
  {{ return({'family_context': 'family_plays', 'christmas_mood': 'christmas_plays'}) }}
{%- endmacro %}


{# The threshold names ad_policy carries, two per signal. #}
{% macro context_threshold_names() -%}
  {%- set names = [] -%}
  {%- for signal in context_signal_counts() -%}
    {%- do names.extend([signal ~ '_min_plays', signal ~ '_min_share']) -%}
  {%- endfor -%}
  {{ return(names) }}
{%- endmacro %}


{#
  ARRAY<STRING> of the signals on for the counts of `context` (recent_plays and one count column per
  signal) under the thresholds of `policy`; empty, never NULL, when there is no context.
#}
{% macro context_signals(context, policy) -%}
  ARRAY_REMOVE(ARRAY[
    {%- for signal, plays in context_signal_counts().items() %}
    CASE
      WHEN {{ context }}.{{ plays }} >= {{ policy }}.{{ signal }}_min_plays
        AND {{ share(context ~ '.' ~ plays, context ~ '.recent_plays') }} >= {{ policy }}.{{ signal }}_min_share
        THEN '{{ signal }}'
      ELSE ''
    END{{ "," if not loop.last }}
    {%- endfor %}
  ], '')
{%- endmacro %}


{#
  The policy's one key, 'ads', for a row of `column`'s table. Built from the column, never a literal:
  with a constant key Flink folds the key into the condition and the plan breaks in three ways (an
  event-time temporal join fails, "Unsupported call: __TEMPORAL_JOIN_LEFT_KEY"; a regular join becomes a
  cross join; a group by aggregates globally and loses its output's key, so a SinkUpsertMaterializer
  turns every update into a tombstone and an insert).
#}
{% macro policy_key(column) -%}
  concat('ads', left({{ column }}, 0))
{%- endmacro %}
