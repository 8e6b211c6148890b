-- Activation: each customer's events (idempotent by a key derived from the event), the
-- latest snapshot (what the O(1) morning sweep advances) and the timeline, append-only.
-- Instants are fixed-width UTC text, so text order is time order.
CREATE TABLE activation_events (
    customer_id TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL, sequence BIGINT NOT NULL,
    doc TEXT NOT NULL, PRIMARY KEY (customer_id, key)
);
CREATE INDEX activation_events_in_order ON activation_events (customer_id, at, sequence);
CREATE TABLE activation_snapshots (customer_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE activation_transitions (seq BIGSERIAL PRIMARY KEY, customer_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX activation_transitions_by_customer ON activation_transitions (customer_id, seq);
-- Loyalty: the inputs of each member's ledger in the order they were applied; replaying
-- them rebuilds the ledger. A key is used once per member: a duplicate is a no-op.
CREATE TABLE loyalty_facts (seq BIGSERIAL PRIMARY KEY, customer_id TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL);
CREATE UNIQUE INDEX loyalty_facts_by_key ON loyalty_facts (customer_id, key);
CREATE INDEX loyalty_facts_by_customer ON loyalty_facts (customer_id, seq);
