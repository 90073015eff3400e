-- No next-best action offers more than its catalogue offer allows, nor an offer to a customer whose
-- situation bars one (fraud suspected, card blocked, opted out: checked through the action and the
-- offer id, which the model leaves empty for them), nor an action of another situation.
select
    a.user_id,
    a.situation_id,
    a.action,
    a.offer_id
from {{ ref('next_best_actions') }} as a
left join {{ ref('nba_offers') }} as o on a.offer_id = o.offer_id
where
    (a.action in ('raise_card_limit', 'offer_instant_loan', 'offer_roaming_pack') and o.offer_id is null)
    or (a.action in ('fraud_check', 'none') and a.offer_id is not null)
    or (o.offer_id is not null and (a.action <> o.action or a.situation <> o.situation))
    or a.new_limit > o.max_amount
    or a.loan_amount > o.max_amount
    or a.pack_price > o.max_amount
