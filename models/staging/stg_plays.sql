-- Valid ctx.plays events, typed and deduplicated (see macros/parse_events.sql); the rest is dead-lettered.
{{ staged_events('plays', source('ctx', 'raw_plays')) }}
