-- depends_on: {{ ref('valid_campaign_events') }}
-- Valid ctx.campaign_events events, typed and deduplicated once by the contract layer (models/contract/).
select
    {{ contract_columns('campaign_events') }},
    event_time,
    proc_time
from {{ source('ctx_valid', 'campaign_events') }}
