{{ config(connector_properties=kafka_append_topic('dead_letter', 'source_topic')) }}
-- Every input event that breaks the event contract, with where it came from and why: nothing is
-- dropped silently and no job crashes on bad input.
{% for event in ['plays', 'page_views', 'ad_requests', 'campaign_events'] %}
    {{ dead_letters(event, source('ctx', 'raw_' ~ event)) }}
    {{ 'union all' if not loop.last }}
{% endfor %}
