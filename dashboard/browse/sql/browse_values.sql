-- Browse: the councils matching the filters with indicator $indicator's value in $period,
-- ranked and banded *within the filtered set*.
--   Councils: those that belong to $period by the warehouse's one existence rule (the
--   councils_in macro), current ones only unless $include_former.
--   Filters: $nations, $regions, $types (empty list = all), $q (name contains, case-insensitive;
--   '' = all, matched with strpos so no pattern characters need escaping), $include_former.
--   outside_life: the value was reported for a period the council did not exist in (restated
--   on later boundaries, or reported after abolition).
--   Rank: the polarity_rank macro (1 = best by polarity, ties share the best rank); missing
--   values and neutral indicators get no rank.
--   Quartiles: quantile_cont (linear interpolation, like Excel QUARTILE.INC and pandas'
--   default) of the non-missing values. Band: the quartile_band macro (1 = at or beyond the
--   best-side quartile ... 4; a value on a cut point takes the better band; neutral indicators
--   are banded by value, 1 = highest); no bands with fewer than $min_band_n values.
with indicator as (
    select indicator_id, name, unit, polarity, decimals
    from indicators
    where indicator_id = $indicator
),
in_period as (
    select authority_code from councils_in(cast($period as varchar))
),
councils as (
    select authority_code, short_name, official_name, nation, region, authority_type,
           population, lat, lon, is_current
    from ref.authorities
    where authority_code in (select authority_code from in_period)
      and ($include_former or is_current)
      and (len(coalesce($nations, []::varchar[])) = 0 or list_contains($nations::varchar[], nation))
      and (len(coalesce($regions, []::varchar[])) = 0 or list_contains($regions::varchar[], region))
      and (len(coalesce($types, []::varchar[])) = 0 or list_contains($types::varchar[], authority_type))
      and (coalesce($q, '') = ''
           or strpos(lower(short_name), lower($q)) > 0
           or strpos(lower(official_name), lower($q)) > 0)
),
period_values as (
    -- filter on the sort key first, so only one indicator-period slice is read
    select authority_code, value, status, outside_life
    from indicator_values
    where indicator_id = $indicator and period = $period
),
joined as (
    select c.*, v.value, value_status(v.value, v.status) as status,
           coalesce(v.outside_life, false) as outside_life,
           i.indicator_id, i.name as indicator_name, i.unit, i.polarity, i.decimals
    from councils c
    cross join indicator i
    left join period_values v using (authority_code)
),
stats as (
    select quantile_cont(value, 0.25) as lower_quartile,
           quantile_cont(value, 0.5) as median,
           quantile_cont(value, 0.75) as upper_quartile,
           count(value) as n_values,
           count(better_value(polarity, value)) as n_ranked
    from joined
),
ranked as (
    select j.*, polarity_rank(j.polarity, j.value, 0) as rank
    from joined j
),
final as (
    select r.authority_code, r.short_name, r.official_name, r.nation, r.region, r.authority_type,
           r.population, r.lat, r.lon, r.is_current,
           r.indicator_id, r.indicator_name, r.unit, r.polarity, r.decimals,
           r.value, r.status, r.outside_life, r.rank, s.n_ranked, s.n_values,
           quartile_band(r.polarity, r.value, s.lower_quartile, s.median, s.upper_quartile,
                         s.n_values, $min_band_n) as band,
           s.median, s.lower_quartile, s.upper_quartile
    from ranked r
    cross join stats s
)
select * from final
order by rank nulls last, value desc nulls last, short_name, authority_code  -- a code settles equal names
