-- Valid ctx.page_views events, typed and deduplicated (see macros/parse_events.sql); the rest is dead-lettered.
{{ staged_events('page_views', source('ctx', 'raw_page_views')) }}
