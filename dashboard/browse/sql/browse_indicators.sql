-- Browse: the indicators a user can colour the table and map by, in theme order.
with indicators as (
    select * from main.indicators
),
final as (
    select indicator_id, name, theme, unit, polarity, decimals, description
    from indicators
)
select * from final
order by theme, name
