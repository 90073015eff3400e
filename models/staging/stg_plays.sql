-- depends_on: {{ ref('valid_plays') }}
-- Valid ctx.plays events, typed and deduplicated once by the contract layer (models/contract/).
select
    {{ contract_columns('plays') }},
    event_time,
    proc_time
from {{ source('ctx_valid', 'plays') }}
