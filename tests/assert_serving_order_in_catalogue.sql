-- Every category of var('serving_order') is in the ad_categories catalogue.
select serving.category
from (values {% for c in var('serving_order') %}('{{ c }}'){{ ',' if not loop.last }}{% endfor %}) as serving (category)
where serving.category not in (select catalogue.ad_category from {{ ref('ad_categories') }} as catalogue)
