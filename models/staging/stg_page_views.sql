-- depends_on: {{ ref('valid_page_views') }}
-- Valid ctx.page_views events, typed and deduplicated once by the contract layer (models/contract/).
select
    {{ contract_columns('page_views') }},
    event_time,
    proc_time
from {{ source('ctx_valid', 'page_views') }}
