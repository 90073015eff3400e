{# Rows whose ARRAY column holds a value that is not in `field` of `to` (e.g. an unknown category). #}
{% test array_values_in(model, column_name, to, field) %}
select m.*, item.array_value
from {{ model }} as m
cross join unnest(m.{{ column_name }}) as item (array_value)
where item.array_value not in (select {{ field }} from {{ to }})
{% endtest %}
