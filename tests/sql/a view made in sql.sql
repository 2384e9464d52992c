CREATE TEMP VIEW big_tips AS
SELECT PULocationID, tip_amount FROM green WHERE tip_amount > 5;

SELECT PULocationID, count(*) AS n, max(tip_amount) AS top_tip FROM big_tips GROUP BY PULocationID ORDER BY n DESC, 1 LIMIT 5;
