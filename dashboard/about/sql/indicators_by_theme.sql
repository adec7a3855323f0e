SELECT theme, count(*) AS indicators,
       count(*) FILTER (WHERE polarity = 'higher') AS higher_is_better,
       count(*) FILTER (WHERE polarity = 'lower') AS lower_is_better,
       count(*) FILTER (WHERE polarity = 'neutral') AS neutral
FROM indicators GROUP BY theme ORDER BY theme
