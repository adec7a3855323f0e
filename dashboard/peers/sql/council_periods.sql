-- The periods with values that council $council belongs to (the councils_in macro: it existed on
-- a day of the period, or the data reports a value for it then), newest first.
WITH periods_with_values AS (
    SELECT p.period, p.period_start
    FROM periods p
    WHERE p.period IN (SELECT DISTINCT period FROM indicator_values)
),
final AS (
    SELECT pv.period, pv.period_start
    FROM periods_with_values pv
    WHERE EXISTS (SELECT 1 FROM councils_in(pv.period) member WHERE member.authority_code = $council)
)
SELECT * FROM final
ORDER BY period_start DESC, period DESC
