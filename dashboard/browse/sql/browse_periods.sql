-- Browse: the periods that hold values of indicator $indicator, newest first.
-- indicator_values is sorted by indicator and period, so the filter prunes by zone maps.
with values_of_indicator as (
    select distinct period, period_start
    from indicator_values
    where indicator_id = $indicator
),
final as (
    select period, period_start from values_of_indicator
)
select * from final
order by period_start desc, period desc
