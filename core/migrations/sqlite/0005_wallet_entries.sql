-- Customers' wallet entries (top-ups, promotional credit, applications to bills), whole as
-- their JSON, stored once under their id. Read by customer for a wallet, and all of them for
-- a billing run: the engine replays each wallet to the bill date.
CREATE TABLE wallet_entries (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, date TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX wallet_entries_by_customer ON wallet_entries (customer_id, date, id);
