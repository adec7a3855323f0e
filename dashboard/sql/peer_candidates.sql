-- Councils that can be peers in a period: councils (never combined or strategic authorities)
-- that existed on at least one day of the period. With $period NULL: councils existing today.
-- start_date is a council's first day; the register gives end_date as the abolition day (the
-- successor's first day, e.g. 2023-04-01) or as the last day (2015-03-31), so a council counts
-- when it started on or before the period's last day and ended after the period's first day.
WITH councils AS (
    SELECT authority_code, short_name, official_name, nation, region, authority_type,
           tier, start_date, end_date, is_current, population
    FROM ref.authorities
    WHERE is_council AND tier <> 'combined'
),
chosen_period AS (
    SELECT period_start, period_end
    FROM periods
    WHERE period = CAST($period AS VARCHAR)
),
final AS (
    SELECT c.authority_code, c.short_name, c.official_name, c.nation, c.region,
           c.authority_type, c.tier, c.population
    FROM councils c
    WHERE (CAST($period AS VARCHAR) IS NULL AND c.is_current)
       OR EXISTS (
            SELECT 1 FROM chosen_period p
            WHERE coalesce(c.start_date, DATE '0001-01-01') <= p.period_end
              AND coalesce(c.end_date, DATE '9999-12-31') > p.period_start
       )
)
SELECT * FROM final
ORDER BY short_name, authority_code
