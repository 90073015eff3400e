-- Valid ctx.ad_requests events, typed and deduplicated (see macros/parse_events.sql); the rest is dead-lettered.
{{ staged_events('ad_requests', source('ctx', 'raw_ad_requests')) }}
