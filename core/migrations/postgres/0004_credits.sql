-- Credits for customers' next bills (loyalty redemptions, credit notes), whole as their JSON,
-- stored once under their id and read by date for a billing run. A bill claims a credit in
-- billed_sources (`credit:<id>`); the row stays, as the bills it is on do.
CREATE TABLE credits (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, date TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX credits_by_date ON credits (date, id);
