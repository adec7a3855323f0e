-- Councils that can be in a peer group in $period, with what the exemplar views group and
-- map them by: the councils that belong to the period by the warehouse's one existence rule
-- (the councils_in macro), the same as every peer page.
WITH councils AS (
    SELECT authority_code, short_name, nation, region, authority_type, lat, lon
    FROM ref.authorities
),
in_period AS (
    SELECT authority_code FROM councils_in(CAST($period AS VARCHAR))
),
final AS (
    SELECT c.authority_code, c.short_name, c.nation, coalesce(c.region, c.nation) AS region,
           c.authority_type, c.lat, c.lon
    FROM councils c
    JOIN in_period USING (authority_code)
)
SELECT * FROM final
ORDER BY authority_type, region, short_name, authority_code
