-- Councils that no longer exist, each with its end date and the names of its successors.
-- No parameters.
WITH ended AS (
    SELECT authority_code, short_name, official_name, authority_type, region, nation,
           start_date, end_date, successor_codes
    FROM ref.authorities
    WHERE NOT is_current AND is_council
),
successors AS (
    SELECT e.authority_code,
           list(s.short_name ORDER BY s.short_name) AS successor_names,
           list(s.authority_code ORDER BY s.short_name) AS successor_list
    FROM ended e, unnest(e.successor_codes) AS u(code)
    JOIN ref.authorities s ON s.authority_code = u.code
    GROUP BY e.authority_code
),
final AS (
    SELECT e.authority_code, e.short_name, e.official_name, e.authority_type, e.region, e.nation,
           e.start_date, e.end_date,
           coalesce(s.successor_list, []::VARCHAR[]) AS successor_codes,
           coalesce(s.successor_names, []::VARCHAR[]) AS successor_names
    FROM ended e
    LEFT JOIN successors s USING (authority_code)
)
SELECT * FROM final
ORDER BY end_date DESC, short_name
