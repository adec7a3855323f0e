-- Data and methods: one page of the indicators' definitions (theme $theme, '' for every theme;
-- $limit from $offset in theme order), with the periods that hold each one's values.
-- Params: $theme, $limit, $offset.
with indicators as (
    select * from main.indicators
    where $theme = '' or theme = $theme
    order by theme, name, indicator_id
    limit $limit offset $offset
),
indicator_periods as (
    -- one row per (indicator, period) first, for the page's indicators only
    select indicator_id, period, any_value(period_start) as period_start
    from indicator_values
    semi join indicators using (indicator_id)
    group by indicator_id, period
),
coverage as (
    select indicator_id,
           count(*) as periods,
           arg_min(period, period_start) as first_period,
           arg_max(period, period_start) as last_period
    from indicator_periods
    group by indicator_id
),
final as (
    select i.theme, i.indicator_id, i.name, i.polarity, i.polarity_reason, i.unit, i.min_value, i.max_value,
           i.decimals, i.aggregation, i.source, i.source_url, i.description, i.caveats, i.source_name,
           coalesce(c.periods, 0) as periods, c.first_period, c.last_period
    from indicators i
    left join coverage c using (indicator_id)
)
select * from final
order by theme, name, indicator_id
