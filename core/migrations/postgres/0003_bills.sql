-- Finalized bills, whole as their JSON (lines with the sources each line bills), looked up
-- by number and by customer. A bill is written once and never changed.
CREATE TABLE bills (
    number TEXT PRIMARY KEY, customer_id TEXT NOT NULL, month TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX bills_by_customer ON bills (customer_id, month, number);
-- Every source a bill bills for good (a delivery record, an order item, a credit), once:
-- the primary key makes billing a source twice impossible, whatever wrote the bills.
CREATE TABLE billed_sources (source TEXT PRIMARY KEY, bill_number TEXT NOT NULL);
-- The bill number series: the last serial given in each financial year (April to March).
CREATE TABLE bill_series (financial_year BIGINT PRIMARY KEY, last_number BIGINT NOT NULL);
