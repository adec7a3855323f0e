-- Browse: the councils matching the filters with indicator $indicator's value in $period,
-- ranked and banded *within the filtered set*.
--   Filters: $nations, $regions, $types (empty list = all), $q (name contains, case-insensitive;
--   '' = all, matched with strpos so no pattern characters need escaping), $include_former.
--   Rank: 1 = best by polarity (higher: largest first; lower: smallest first); ties share the
--   best rank (SQL rank()); missing values and neutral indicators get no rank.
--   Quartiles: quantile_cont (linear interpolation, like Excel QUARTILE.INC and pandas'
--   default) of the non-missing values. Band 1 = at or beyond the best-side quartile ... 4 =
--   beyond the worst-side quartile (a value on a cut point takes the better band); neutral
--   indicators are banded by value (1 = highest); no bands with fewer than $min_band_n values.
with indicator as (
    select indicator_id, name, unit, polarity, decimals
    from indicators
    where indicator_id = $indicator
),
councils as (
    select authority_code, short_name, official_name, nation, region, authority_type,
           population, lat, lon, is_current
    from ref.authorities
    where is_council
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
    select authority_code, value, status
    from indicator_values
    where indicator_id = $indicator and period = $period
),
joined as (
    select c.*, v.value,
           case when v.value is null then coalesce(v.status, 'missing') else v.status end as status,
           i.indicator_id, i.name as indicator_name, i.unit, i.polarity, i.decimals,
           -- "better" points the same way for every polarity: larger score = better
           case i.polarity when 'higher' then v.value when 'lower' then -v.value end as score,
           -- what the bands order by: the score, or the plain value for neutral indicators
           case i.polarity when 'neutral' then v.value when 'higher' then v.value else -v.value end as band_key
    from councils c
    cross join indicator i
    left join period_values v using (authority_code)
),
stats as (
    select quantile_cont(band_key, 0.25) as key_q1,
           quantile_cont(band_key, 0.5) as key_median,
           quantile_cont(band_key, 0.75) as key_q3,
           quantile_cont(value, 0.25) as lower_quartile,
           quantile_cont(value, 0.5) as median,
           quantile_cont(value, 0.75) as upper_quartile,
           count(value) as n_values,
           count(score) as n_ranked
    from joined
),
ranked as (
    select j.*,
           case when j.score is not null
                then rank() over (partition by j.score is null order by j.score desc) end as rank
    from joined j
),
final as (
    select r.authority_code, r.short_name, r.official_name, r.nation, r.region, r.authority_type,
           r.population, r.lat, r.lon, r.is_current,
           r.indicator_id, r.indicator_name, r.unit, r.polarity, r.decimals,
           r.value, r.status, r.rank, s.n_ranked, s.n_values,
           case when r.band_key is null or s.n_values < $min_band_n then null
                when r.band_key >= s.key_q3 then 1
                when r.band_key >= s.key_median then 2
                when r.band_key >= s.key_q1 then 3
                else 4 end as band,
           s.median, s.lower_quartile, s.upper_quartile
    from ranked r
    cross join stats s
)
select * from final
order by rank nulls last, value desc nulls last, short_name
