-- Councils that can be in a peer group in $period, with what the exemplar views group and
-- map them by. Same membership rule as peer_candidates.sql: councils (never combined or
-- strategic authorities) that existed on at least one day of the period.
WITH councils AS (
    SELECT authority_code, short_name, nation, region, authority_type, lat, lon,
           start_date, end_date
    FROM ref.authorities
    WHERE is_council AND tier <> 'combined'
),
chosen_period AS (
    SELECT period_start, period_end FROM periods WHERE period = CAST($period AS VARCHAR)
),
final AS (
    SELECT c.authority_code, c.short_name, c.nation, coalesce(c.region, c.nation) AS region,
           c.authority_type, c.lat, c.lon
    FROM councils c, chosen_period p
    WHERE coalesce(c.start_date, DATE '0001-01-01') <= p.period_end
      AND coalesce(c.end_date, DATE '9999-12-31') >= p.period_start
)
SELECT * FROM final
ORDER BY authority_type, region, short_name, authority_code
