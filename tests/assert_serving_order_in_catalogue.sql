-- Every category of var('serving_order') is in the ad_categories catalogue.
select category
from (values {% for c in var('serving_order') %}('{{ c }}'){{ ',' if not loop.last }}{% endfor %}) as t (category)
where category not in (select ad_category from {{ ref('ad_categories') }})
