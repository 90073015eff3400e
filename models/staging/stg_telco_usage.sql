-- depends_on: {{ ref('valid_telco_usage') }}
-- Valid ctx.telco_usage events, typed and deduplicated once by the contract layer (models/contract/).
select
    {{ contract_columns('telco_usage') }},
    event_time,
    proc_time
from {{ source('ctx_valid', 'telco_usage') }}
