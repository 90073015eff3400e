-- Valid ctx.campaign_events events, typed and deduplicated (see macros/parse_events.sql); the rest is dead-lettered.
{{ staged_events('campaign_events', source('ctx', 'raw_campaign_events')) }}
