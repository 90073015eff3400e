-- depends_on: {{ ref('valid_payments') }}
-- Valid ctx.payments events, typed and deduplicated once by the contract layer (models/contract/).
select
    {{ contract_columns('payments') }},
    event_time,
    proc_time
from {{ source('ctx_valid', 'payments') }}
