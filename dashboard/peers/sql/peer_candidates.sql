-- Councils that can be peers in $period: the councils that belong to it by the warehouse's one
-- existence rule (the councils_in macro: existed on a day of the period, or reported for it),
-- with the facts the group kinds match on. With $period NULL: councils existing today.
WITH councils AS (
    SELECT authority_code, short_name, official_name, nation, region, authority_type,
           tier, is_current, population
    FROM ref.authorities
    WHERE is_council AND tier <> 'combined'
),
in_period AS (
    SELECT authority_code FROM councils_in(CAST($period AS VARCHAR))
),
final AS (
    SELECT c.authority_code, c.short_name, c.official_name, c.nation, c.region,
           c.authority_type, c.tier, c.population
    FROM councils c
    WHERE (CAST($period AS VARCHAR) IS NULL AND c.is_current)
       OR c.authority_code IN (SELECT authority_code FROM in_period)
)
SELECT * FROM final
ORDER BY short_name, authority_code
