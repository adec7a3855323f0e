-- Every council (current or former, never a combined authority) a user can pick, for menus.
WITH councils AS (
    SELECT authority_code, short_name, nation, region, authority_type, is_current, end_date
    FROM ref.authorities
    WHERE is_council AND tier <> 'combined'
),
final AS (
    SELECT authority_code, short_name, nation, region, authority_type, is_current,
           short_name || CASE WHEN is_current THEN '' ELSE ' (until ' || strftime(end_date, '%Y') || ')' END
               AS label
    FROM councils
)
SELECT * FROM final
ORDER BY NOT is_current, short_name, authority_code
