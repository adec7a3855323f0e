-- Maps: what decides how each council of $codes is drawn in period $period -- its tier, the
-- county it lies in, the councils that replaced it, the councils whose areas make up its own
-- (a county's districts of the period, by the one existence rule: districts abolished before it
-- lie in their successors; a successor's predecessors, counties aside) -- with its life dates and
-- the period's, so dashboard.common.geography can tell (with the one existence rule's Python
-- mirror) whether it existed in the period or is there because the data reports it.
WITH period AS (
    SELECT period_start, period_end FROM periods WHERE period = CAST($period AS VARCHAR)
),
register AS (
    SELECT authority_code, tier, parent_county_code, successor_codes, start_date, end_date
    FROM ref.authorities
    WHERE is_council
),
councils AS (
    SELECT * FROM register WHERE list_contains($codes::VARCHAR[], authority_code)
),
parts AS (
    SELECT c.authority_code, list(p.authority_code ORDER BY p.authority_code) AS part_codes
    FROM councils c
    JOIN register p
      ON (p.parent_county_code = c.authority_code
          AND p.authority_code IN (SELECT authority_code FROM councils_in(CAST($period AS VARCHAR))))
      OR (c.tier <> 'county' AND p.tier <> 'county' AND list_contains(p.successor_codes, c.authority_code))
    GROUP BY c.authority_code
),
final AS (
    SELECT c.*, coalesce(s.part_codes, []::VARCHAR[]) AS part_codes, p.period_start, p.period_end
    FROM councils c
    LEFT JOIN parts s USING (authority_code)
    CROSS JOIN period p
)
SELECT * FROM final
ORDER BY authority_code
