-- depends_on: {{ ref('valid_ad_requests') }}
-- Valid ctx.ad_requests events, typed and deduplicated once by the contract layer (models/contract/).
select
    {{ contract_columns('ad_requests') }},
    event_time,
    proc_time
from {{ source('ctx_valid', 'ad_requests') }}
