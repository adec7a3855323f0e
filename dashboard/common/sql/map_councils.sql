-- Maps: what decides how each council of $codes is drawn in period $period -- its tier, the
-- county it lies in, the councils that replaced it -- with its life dates and the period's, so
-- dashboard.common.geography can tell (with the one existence rule's Python mirror) whether it
-- existed in the period or is there because the data reports it.
WITH period AS (
    SELECT period_start, period_end FROM periods WHERE period = CAST($period AS VARCHAR)
),
councils AS (
    SELECT authority_code, tier, parent_county_code, successor_codes, start_date, end_date
    FROM ref.authorities
    WHERE list_contains($codes::VARCHAR[], authority_code)
),
final AS (
    SELECT c.*, p.period_start, p.period_end
    FROM councils c
    CROSS JOIN period p
)
SELECT * FROM final
ORDER BY authority_code
