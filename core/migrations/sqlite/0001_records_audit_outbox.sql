-- Records are kept whole as their canonical JSON (decimals keep their scale), with the columns
-- the store looks them up by. Dates are ISO text, which sorts as dates do.
CREATE TABLE customers (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE products (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE subscriptions (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX subscriptions_by_customer ON subscriptions (customer_id, id);
CREATE TABLE orders (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, delivery_date TEXT NOT NULL,
    status TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, delivery_date, id);
CREATE INDEX orders_by_date ON orders (delivery_date, id);
CREATE TABLE deliveries (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, date TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX deliveries_by_customer ON deliveries (customer_id, date, id);
CREATE INDEX deliveries_by_date ON deliveries (date, id);
CREATE TABLE payments (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, date TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX payments_by_customer ON payments (customer_id, date, id);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, entity_id TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX audit_by_entity ON audit (entity, entity_id, seq);
-- The outbox: intents wait here until a sender claims them (lease) and marks them sent.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL,
    claimant TEXT, lease_until TEXT, sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_unsent ON outbox (sent, seq);
