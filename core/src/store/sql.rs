//! The SQL stores: SQLite (the embedded default, one file, no server) and PostgreSQL (many
//! app servers sharing one database), through sqlx.
//!
//! One implementation serves both through sqlx's `Any` driver: every statement is written
//! once with `$1`-style parameters, which both databases accept. Records are stored whole as
//! their canonical JSON — decimals keep their scale, nothing is lost between the record and
//! its row — next to the columns they are looked up by. Migrations are versioned and applied
//! on open. A change set is one transaction: SQLite serialises writers; PostgreSQL runs it
//! SERIALIZABLE and retries it when another transaction got in the way.

use std::str::FromStr;
use std::sync::Once;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

use super::{
    Applied, ChangeSet, Expectation, LoyaltyFact, OutboxEntry, RecordKind, Store, StoreError,
    Write, activation_key, billed_sources, check_balance, source_key, wallet_owners, wallet_writes,
};
use crate::activation::{ActivationEvent, CustomerSnapshot, Transition};
use crate::audit::AuditRecord;
use crate::billing::{Bill, BillingInput, FinancialYear, NumberSeries, Wallet};
use crate::notification::NotificationIntent;
use crate::record::{Customer, DeliveryRecord, Order, Payment, Product, Record, Subscription};

/// Which database a [`SqlStore`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A store in SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
    /// PostgreSQL only: a pool of its own for COPY, which `Any` cannot do (connects lazily).
    #[cfg(feature = "postgres")]
    copy: Option<sqlx::PgPool>,
}

/// How often a PostgreSQL change set is retried after a serialization failure.
const RETRIES: usize = 8;

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// PostgreSQL's "could not serialize" and "deadlock": the transaction may simply be retried.
fn is_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40001" | "40P01")),
        _ => false,
    }
}

/// Why a change set did not apply: a conflict to report, or a database error.
enum Failed {
    Store(StoreError),
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for Failed {
    fn from(e: sqlx::Error) -> Self {
        Failed::Sql(e)
    }
}

/// Instants as fixed-width UTC text, so that text order is time order in both databases.
fn instant_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(backend)
}

fn decode<T: Record>(doc: &str) -> Result<T, StoreError> {
    let value: serde_json::Value = serde_json::from_str(doc).map_err(backend)?;
    T::from_document(&value)
        .map_err(|e| StoreError::Backend(format!("a stored {} no longer reads: {e}", T::KIND)))
}

fn decode_json<T: serde::de::DeserializeOwned>(doc: &str) -> Result<T, StoreError> {
    serde_json::from_str(doc).map_err(backend)
}

impl SqlStore {
    /// Opens (creating it if needed) the SQLite database file at `path`, migrated.
    pub async fn open_sqlite(path: &str) -> Result<Self, StoreError> {
        Self::open(&format!("sqlite://{path}?mode=rwc")).await
    }

    /// A private in-memory SQLite database, migrated (for tests and demos).
    pub async fn open_sqlite_in_memory() -> Result<Self, StoreError> {
        Self::open("sqlite::memory:").await
    }

    /// Connects to a database URL (`sqlite://...` or `postgres://...`) and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(StoreError::Backend(format!(
                "unsupported database URL (sqlite:// or postgres://): {url}"
            )));
        };
        let options = AnyConnectOptions::from_str(url).map_err(backend)?;
        // SQLite allows one writer at a time: one connection makes every change set a
        // serial transaction, and keeps an in-memory database one database.
        let connections = match dialect {
            Dialect::Sqlite => 1,
            Dialect::Postgres => 8,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await
            .map_err(backend)?;
        let migrations = match dialect {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrations.run(&pool).await.map_err(backend)?;
        #[cfg(feature = "postgres")]
        let copy = match dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect_lazy(url)
                    .map_err(backend)?,
            ),
        };
        Ok(Self {
            pool,
            dialect,
            #[cfg(feature = "postgres")]
            copy,
        })
    }

    /// The database this store talks to.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    async fn try_apply(&self, changes: &ChangeSet) -> Result<Applied, Failed> {
        let mut tx = self.pool.begin().await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                .execute(&mut *tx)
                .await?;
        }
        for expectation in &changes.expectations {
            let holds = match expectation {
                Expectation::Absent { kind, id } => sqlx::query(exists_sql(*kind))
                    .bind(id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_none(),
                Expectation::OrderStatus { order_id, status } => {
                    let found = sqlx::query("SELECT status FROM orders WHERE id = $1")
                        .bind(order_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|row| row.try_get::<String, _>(0))
                        .transpose()?;
                    found.as_deref() == Some(status.as_str())
                }
                Expectation::ActivationSnapshot {
                    customer_id,
                    snapshot,
                } => {
                    let found =
                        sqlx::query("SELECT doc FROM activation_snapshots WHERE customer_id = $1")
                            .bind(customer_id.as_str())
                            .fetch_optional(&mut *tx)
                            .await?
                            .map(|row| row.try_get::<String, _>(0))
                            .transpose()?
                            .map(|doc| decode_json::<CustomerSnapshot>(&doc))
                            .transpose()
                            .map_err(Failed::Store)?;
                    found.map(|s| s.snapshot) == *snapshot
                }
                Expectation::NumberSeries { series } => latest_series(&mut tx).await? == *series,
                Expectation::LoyaltyFacts { customer_id, count } => {
                    let row =
                        sqlx::query("SELECT COUNT(*) FROM loyalty_facts WHERE customer_id = $1")
                            .bind(customer_id.as_str())
                            .fetch_one(&mut *tx)
                            .await?;
                    u64::try_from(row.try_get::<i64, _>(0)?).ok() == Some(*count)
                }
            };
            if !holds {
                return Err(Failed::Store(StoreError::Conflict(describe(expectation))));
            }
        }
        for write in &changes.writes {
            write_record(&mut tx, write).await?;
        }
        check_wallets(&mut tx, &changes.writes).await?;
        for record in &changes.audit {
            sqlx::query("INSERT INTO audit (entity, entity_id, doc) VALUES ($1, $2, $3)")
                .bind(record.entity.as_str())
                .bind(record.entity_id.as_str())
                .bind(encode(record).map_err(Failed::Store)?)
                .execute(&mut *tx)
                .await?;
        }
        let mut applied = Applied::default();
        for intent in &changes.intents {
            let row = sqlx::query("INSERT INTO outbox (doc) VALUES ($1) RETURNING seq")
                .bind(encode(intent).map_err(Failed::Store)?)
                .fetch_one(&mut *tx)
                .await?;
            applied.outbox.push(seq_of(row.try_get::<i64, _>(0)?));
        }
        tx.commit().await?;
        Ok(applied)
    }

    async fn one<T: Record>(&self, sql: &'static str, id: &str) -> Result<Option<T>, StoreError> {
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| decode(&r.try_get::<String, _>(0).map_err(backend)?))
            .transpose()
    }

    async fn many<T: Record>(
        &self,
        sql: &'static str,
        binds: &[&str],
    ) -> Result<Vec<T>, StoreError> {
        let mut query = sqlx::query(sql);
        for value in binds {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(backend)?;
        rows.iter()
            .map(|r| decode(&r.try_get::<String, _>(0).map_err(backend)?))
            .collect()
    }

    async fn many_json<T: serde::de::DeserializeOwned>(
        &self,
        sql: &'static str,
        binds: &[&str],
    ) -> Result<Vec<T>, StoreError> {
        let mut query = sqlx::query(sql);
        for value in binds {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(backend)?;
        rows.iter()
            .map(|r| decode_json(&r.try_get::<String, _>(0).map_err(backend)?))
            .collect()
    }
}

/// The `doc` column of every row a query returns, inside a transaction.
async fn docs(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &'static str,
    binds: &[&str],
) -> Result<Vec<String>, StoreError> {
    let mut query = sqlx::query(sql);
    for value in binds {
        query = query.bind(*value);
    }
    let rows = query.fetch_all(&mut **tx).await.map_err(backend)?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(backend))
        .collect()
}

fn seq_of(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or_default()
}

fn describe(expectation: &Expectation) -> String {
    match expectation {
        Expectation::Absent { kind, id } => format!("{kind:?} {id} already exists"),
        Expectation::OrderStatus { order_id, status } => {
            format!("order {order_id} is no longer {status}")
        }
        Expectation::ActivationSnapshot { customer_id, .. } => {
            format!("the activation of customer {customer_id} changed")
        }
        Expectation::LoyaltyFacts { customer_id, .. } => {
            format!("the loyalty ledger of customer {customer_id} changed")
        }
        Expectation::NumberSeries { .. } => "the bill number series changed".to_owned(),
    }
}

/// The series of the latest financial year numbered.
async fn latest_series(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
) -> Result<Option<NumberSeries>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT financial_year, last_number FROM bill_series ORDER BY financial_year DESC LIMIT 1",
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| series_of(&r)).transpose()
}

fn series_of(row: &sqlx::any::AnyRow) -> Result<NumberSeries, sqlx::Error> {
    let year = row.try_get::<i64, _>(0)?;
    let last = row.try_get::<i64, _>(1)?;
    Ok(NumberSeries {
        financial_year: FinancialYear(i32::try_from(year).unwrap_or_default()),
        last: u32::try_from(last).unwrap_or_default(),
    })
}

/// Sources per statement when a bill's sources are written (two parameters each).
const SOURCES_PER_STATEMENT: usize = 500;

/// Stores a finalized bill and claims its sources; a number or a source already taken is
/// a conflict (the whole transaction is then rolled back).
async fn write_bill(tx: &mut sqlx::Transaction<'_, sqlx::Any>, bill: &Bill) -> Result<(), Failed> {
    let number = bill.number.as_deref().unwrap_or_default();
    let inserted = sqlx::query(
        "INSERT INTO bills (number, customer_id, month, doc) VALUES ($1, $2, $3, $4)
         ON CONFLICT (number) DO NOTHING",
    )
    .bind(number)
    .bind(bill.customer_id.as_str())
    .bind(bill.month.to_string())
    .bind(encode(bill).map_err(Failed::Store)?)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() != 1 {
        return Err(Failed::Store(StoreError::Conflict(format!(
            "bill {number} already exists"
        ))));
    }
    let sources: Vec<String> = billed_sources(bill).map(source_key).collect();
    for chunk in sources.chunks(SOURCES_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO billed_sources (source, bill_number) VALUES {}
             ON CONFLICT (source) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for source in chunk {
            query = query.bind(source.as_str()).bind(number);
        }
        let claimed = query.execute(&mut **tx).await?;
        if claimed.rows_affected() != chunk.len() as u64 {
            return Err(Failed::Store(StoreError::Conflict(format!(
                "bill {number} bills a source already billed"
            ))));
        }
    }
    Ok(())
}

/// Stores a document once under its id, in a table of `(id, customer_id, date, doc)` (credits,
/// wallet entries): the same one again is a no-op, another one under that id a conflict (the
/// whole transaction is then rolled back).
async fn write_once<T: Serialize + serde::de::DeserializeOwned + PartialEq>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    (table, what): (&'static str, &str),
    (id, customer_id, date): (&str, &str, NaiveDate),
    value: &T,
) -> Result<(), Failed> {
    let insert = format!(
        "INSERT INTO {table} (id, customer_id, date, doc) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(id)
        .bind(customer_id)
        .bind(date.to_string())
        .bind(encode(value).map_err(Failed::Store)?)
        .execute(&mut **tx)
        .await?;
    if inserted.rows_affected() == 1 {
        return Ok(());
    }
    let select = format!("SELECT doc FROM {table} WHERE id = $1");
    let stored = sqlx::query(sqlx::AssertSqlSafe(select))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get::<String, _>(0)?;
    if decode_json::<T>(&stored).map_err(Failed::Store)? == *value {
        Ok(())
    } else {
        Err(Failed::Store(StoreError::Conflict(format!(
            "another {what} {id} already exists"
        ))))
    }
}

/// A customer's wallet entries, in the order a wallet keeps them.
const WALLET_OF: &str = "SELECT doc FROM wallet_entries WHERE customer_id = $1 ORDER BY date, id";

/// Replays, once a change set is written, each wallet it wrote to: one overdrawn on any day
/// fails the transaction. Under PostgreSQL's serializable isolation two changes that only
/// overdraw a wallet together cannot both commit.
async fn check_wallets(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    writes: &[Write],
) -> Result<(), Failed> {
    let written = wallet_writes(writes);
    for customer_id in wallet_owners(&written) {
        let entries = docs(tx, WALLET_OF, &[customer_id])
            .await
            .map_err(Failed::Store)?
            .iter()
            .map(|d| decode_json(d))
            .collect::<Result<_, _>>()
            .map_err(Failed::Store)?;
        check_balance(customer_id, entries, &written).map_err(Failed::Store)?;
    }
    Ok(())
}

fn exists_sql(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Customer => "SELECT 1 FROM customers WHERE id = $1",
        RecordKind::Product => "SELECT 1 FROM products WHERE id = $1",
        RecordKind::Subscription => "SELECT 1 FROM subscriptions WHERE id = $1",
        RecordKind::Order => "SELECT 1 FROM orders WHERE id = $1",
        RecordKind::Delivery => "SELECT 1 FROM deliveries WHERE id = $1",
        RecordKind::Payment => "SELECT 1 FROM payments WHERE id = $1",
    }
}

async fn write_record(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    write: &Write,
) -> Result<(), Failed> {
    let store = |e| Failed::Store(e);
    let query = match write {
        Write::Bill(bill) => return write_bill(tx, bill).await,
        Write::Credit(c) => {
            let key = (c.id.as_str(), c.customer_id.as_str(), c.date);
            return write_once(tx, ("credits", "credit"), key, c).await;
        }
        Write::WalletEntry(e) => {
            let key = (e.id.as_str(), e.customer_id.as_str(), e.date);
            return write_once(tx, ("wallet_entries", "wallet entry"), key, e).await;
        }
        Write::NumberSeries(series) => sqlx::query(
            "INSERT INTO bill_series (financial_year, last_number) VALUES ($1, $2)
             ON CONFLICT (financial_year) DO UPDATE SET last_number = excluded.last_number",
        )
        .bind(i64::from(series.financial_year.0))
        .bind(i64::from(series.last)),
        Write::Customer(c) => sqlx::query(
            "INSERT INTO customers (id, doc) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(c.id.as_str())
        .bind(encode(c).map_err(store)?),
        Write::Product(p) => sqlx::query(
            "INSERT INTO products (id, doc) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(p.id.as_str())
        .bind(encode(p).map_err(store)?),
        Write::Subscription(s) => sqlx::query(
            "INSERT INTO subscriptions (id, customer_id, doc) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, doc = excluded.doc",
        )
        .bind(s.id.as_str())
        .bind(s.customer_id.as_str())
        .bind(encode(s).map_err(store)?),
        Write::Order(o) => sqlx::query(
            "INSERT INTO orders (id, customer_id, delivery_date, status, doc) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id,
                 delivery_date = excluded.delivery_date, status = excluded.status, doc = excluded.doc",
        )
        .bind(o.id.as_str())
        .bind(o.customer_id.as_str())
        .bind(o.delivery_date.to_string())
        .bind(o.status.as_str())
        .bind(encode(o).map_err(store)?),
        Write::Delivery(d) => sqlx::query(
            "INSERT INTO deliveries (id, customer_id, date, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id,
                 date = excluded.date, doc = excluded.doc",
        )
        .bind(d.id.as_str())
        .bind(d.customer_id.as_str())
        .bind(d.date.to_string())
        .bind(encode(d).map_err(store)?),
        Write::Payment(p) => sqlx::query(
            "INSERT INTO payments (id, customer_id, date, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id,
                 date = excluded.date, doc = excluded.doc",
        )
        .bind(p.id.as_str())
        .bind(p.customer_id.as_str())
        .bind(p.date.to_string())
        .bind(encode(p).map_err(store)?),
        Write::ActivationEvent(e) => sqlx::query(
            "INSERT INTO activation_events (customer_id, key, at, sequence, doc)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id, key) DO NOTHING",
        )
        .bind(e.customer_id.as_str())
        .bind(activation_key(e))
        .bind(instant_text(e.at))
        .bind(i64::try_from(e.sequence).unwrap_or(i64::MAX))
        .bind(encode(e).map_err(store)?),
        Write::ActivationSnapshot(s) => sqlx::query(
            "INSERT INTO activation_snapshots (customer_id, doc) VALUES ($1, $2)
             ON CONFLICT (customer_id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(s.customer_id.as_str())
        .bind(encode(s).map_err(store)?),
        Write::ActivationTransition {
            customer_id,
            transition,
        } => sqlx::query("INSERT INTO activation_transitions (customer_id, doc) VALUES ($1, $2)")
            .bind(customer_id.as_str())
            .bind(encode(transition).map_err(store)?),
        Write::LoyaltyFact {
            customer_id,
            key,
            fact,
        } => sqlx::query(
            "INSERT INTO loyalty_facts (customer_id, key, doc) VALUES ($1, $2, $3)
             ON CONFLICT (customer_id, key) DO NOTHING",
        )
        .bind(customer_id.as_str())
        .bind(key.as_str())
        .bind(encode(fact).map_err(store)?),
    };
    query.execute(&mut **tx).await?;
    Ok(())
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn apply(&self, changes: ChangeSet) -> Result<Applied, StoreError> {
        changes.validate()?;
        let mut attempt = 0;
        loop {
            match self.try_apply(&changes).await {
                Ok(applied) => return Ok(applied),
                Err(Failed::Store(e)) => return Err(e),
                Err(Failed::Sql(e)) if is_retryable(&e) && attempt < RETRIES => attempt += 1,
                Err(Failed::Sql(e)) if is_retryable(&e) => {
                    return Err(StoreError::Conflict(format!(
                        "gave up after {RETRIES} retries of a contended transaction: {e}"
                    )));
                }
                Err(Failed::Sql(e)) => return Err(backend(e)),
            }
        }
    }

    async fn apply_bulk(&self, changes: ChangeSet) -> Result<Applied, StoreError> {
        #[cfg(feature = "postgres")]
        if let Some(pool) = &self.copy
            && super::copy::copyable(&changes)
        {
            changes.validate()?;
            return super::copy::apply(pool, &changes).await;
        }
        self.apply(changes).await
    }

    async fn customer(&self, id: &str) -> Result<Option<Customer>, StoreError> {
        self.one("SELECT doc FROM customers WHERE id = $1", id)
            .await
    }

    async fn customers(&self) -> Result<Vec<Customer>, StoreError> {
        self.many("SELECT doc FROM customers ORDER BY id", &[])
            .await
    }

    async fn product(&self, id: &str) -> Result<Option<Product>, StoreError> {
        self.one("SELECT doc FROM products WHERE id = $1", id).await
    }

    async fn products(&self) -> Result<Vec<Product>, StoreError> {
        self.many("SELECT doc FROM products ORDER BY id", &[]).await
    }

    async fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError> {
        self.one("SELECT doc FROM subscriptions WHERE id = $1", id)
            .await
    }

    async fn subscriptions_of(&self, customer_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let sql = "SELECT doc FROM subscriptions WHERE customer_id = $1 ORDER BY id";
        self.many(sql, &[customer_id]).await
    }

    async fn order(&self, id: &str) -> Result<Option<Order>, StoreError> {
        self.one("SELECT doc FROM orders WHERE id = $1", id).await
    }

    async fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, StoreError> {
        let sql = "SELECT doc FROM orders WHERE customer_id = $1 ORDER BY delivery_date, id";
        self.many(sql, &[customer_id]).await
    }

    async fn orders_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Order>, StoreError> {
        let sql = "SELECT doc FROM orders WHERE delivery_date >= $1 AND delivery_date <= $2
                   ORDER BY delivery_date, id";
        self.many(sql, &[&from.to_string(), &to.to_string()]).await
    }

    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        self.one("SELECT doc FROM deliveries WHERE id = $1", id)
            .await
    }

    async fn deliveries_of(&self, customer_id: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = "SELECT doc FROM deliveries WHERE customer_id = $1 ORDER BY date, id";
        self.many(sql, &[customer_id]).await
    }

    async fn deliveries_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = "SELECT doc FROM deliveries WHERE date >= $1 AND date <= $2 ORDER BY date, id";
        self.many(sql, &[&from.to_string(), &to.to_string()]).await
    }

    async fn payment(&self, id: &str) -> Result<Option<Payment>, StoreError> {
        self.one("SELECT doc FROM payments WHERE id = $1", id).await
    }

    async fn payments_of(&self, customer_id: &str) -> Result<Vec<Payment>, StoreError> {
        let sql = "SELECT doc FROM payments WHERE customer_id = $1 ORDER BY date, id";
        self.many(sql, &[customer_id]).await
    }

    async fn audit_trail(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT doc FROM audit WHERE entity = $1 AND entity_id = $2 ORDER BY seq")
                .bind(entity)
                .bind(entity_id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        rows.iter()
            .map(|r| decode_json(&r.try_get::<String, _>(0).map_err(backend)?))
            .collect()
    }

    async fn activation_events(
        &self,
        customer_id: &str,
    ) -> Result<Vec<ActivationEvent>, StoreError> {
        let sql = "SELECT doc FROM activation_events WHERE customer_id = $1 ORDER BY at, sequence";
        self.many_json(sql, &[customer_id]).await
    }

    async fn activation_snapshot(
        &self,
        customer_id: &str,
    ) -> Result<Option<CustomerSnapshot>, StoreError> {
        let sql = "SELECT doc FROM activation_snapshots WHERE customer_id = $1";
        Ok(self.many_json(sql, &[customer_id]).await?.pop())
    }

    async fn activation_snapshots(&self) -> Result<Vec<CustomerSnapshot>, StoreError> {
        let sql = "SELECT doc FROM activation_snapshots ORDER BY customer_id";
        self.many_json(sql, &[]).await
    }

    async fn activation_timeline(&self, customer_id: &str) -> Result<Vec<Transition>, StoreError> {
        let sql = "SELECT doc FROM activation_transitions WHERE customer_id = $1 ORDER BY seq";
        self.many_json(sql, &[customer_id]).await
    }

    async fn loyalty_facts(&self, customer_id: &str) -> Result<Vec<LoyaltyFact>, StoreError> {
        let sql = "SELECT doc FROM loyalty_facts WHERE customer_id = $1 ORDER BY seq";
        self.many_json(sql, &[customer_id]).await
    }

    async fn bill(&self, number: &str) -> Result<Option<Bill>, StoreError> {
        let sql = "SELECT doc FROM bills WHERE number = $1";
        Ok(self.many_json(sql, &[number]).await?.pop())
    }

    async fn bills_of(&self, customer_id: &str) -> Result<Vec<Bill>, StoreError> {
        let sql = "SELECT doc FROM bills WHERE customer_id = $1 ORDER BY month, number";
        self.many_json(sql, &[customer_id]).await
    }

    async fn wallet(&self, customer_id: &str) -> Result<Wallet, StoreError> {
        Ok(Wallet {
            customer_id: customer_id.to_owned(),
            entries: self.many_json(WALLET_OF, &[customer_id]).await?,
        })
    }

    async fn number_series(&self) -> Result<Option<NumberSeries>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let series = latest_series(&mut tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(series)
    }

    async fn billing_input(&self, until: NaiveDate) -> Result<BillingInput, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if self.dialect == Dialect::Postgres {
            // One snapshot for every read below.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let until = until.to_string();
        let products = docs(&mut tx, "SELECT doc FROM products ORDER BY id", &[]).await?;
        let subscriptions = docs(&mut tx, "SELECT doc FROM subscriptions ORDER BY id", &[]).await?;
        let orders = docs(
            &mut tx,
            "SELECT doc FROM orders WHERE delivery_date <= $1 ORDER BY delivery_date, id",
            &[&until],
        )
        .await?;
        let deliveries = docs(
            &mut tx,
            "SELECT doc FROM deliveries WHERE date <= $1 ORDER BY date, id",
            &[&until],
        )
        .await?;
        let payments = docs(&mut tx, "SELECT doc FROM payments ORDER BY date, id", &[]).await?;
        let bills = docs(&mut tx, "SELECT doc FROM bills ORDER BY number", &[]).await?;
        let credits = docs(
            &mut tx,
            "SELECT doc FROM credits WHERE date <= $1 ORDER BY date, id",
            &[&until],
        )
        .await?;
        let wallet = docs(
            &mut tx,
            "SELECT doc FROM wallet_entries ORDER BY date, id",
            &[],
        )
        .await?;
        tx.commit().await.map_err(backend)?;
        Ok(BillingInput {
            products: products
                .iter()
                .map(|d| decode(d))
                .collect::<Result<_, _>>()?,
            subscriptions: subscriptions
                .iter()
                .map(|d| decode(d))
                .collect::<Result<_, _>>()?,
            orders: orders.iter().map(|d| decode(d)).collect::<Result<_, _>>()?,
            deliveries: deliveries
                .iter()
                .map(|d| decode(d))
                .collect::<Result<_, _>>()?,
            payments: payments
                .iter()
                .map(|d| decode(d))
                .collect::<Result<_, _>>()?,
            bills: bills
                .iter()
                .map(|d| decode_json(d))
                .collect::<Result<_, _>>()?,
            credits: credits
                .iter()
                .map(|d| decode_json(d))
                .collect::<Result<_, _>>()?,
            wallet: wallet
                .iter()
                .map(|d| decode_json(d))
                .collect::<Result<_, _>>()?,
        })
    }

    async fn claim_intents(
        &self,
        claimant: &str,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        // PostgreSQL: rows another sender is claiming right now are skipped, not waited for.
        let sql = match self.dialect {
            Dialect::Sqlite => {
                "UPDATE outbox SET claimant = $1, lease_until = $2 WHERE seq IN (
                    SELECT seq FROM outbox WHERE sent = 0 AND (lease_until IS NULL OR lease_until <= $3)
                    ORDER BY seq LIMIT $4)
                 RETURNING seq, doc"
            }
            Dialect::Postgres => {
                "UPDATE outbox SET claimant = $1, lease_until = $2 WHERE seq IN (
                    SELECT seq FROM outbox WHERE sent = 0 AND (lease_until IS NULL OR lease_until <= $3)
                    ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
                 RETURNING seq, doc"
            }
        };
        let rows = sqlx::query(sql)
            .bind(claimant)
            .bind(instant_text(now + lease))
            .bind(instant_text(now))
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        let mut claimed = rows
            .iter()
            .map(|r| {
                let seq = seq_of(r.try_get::<i64, _>(0).map_err(backend)?);
                let intent: NotificationIntent =
                    decode_json(&r.try_get::<String, _>(1).map_err(backend)?)?;
                Ok(OutboxEntry { seq, intent })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        claimed.sort_by_key(|e| e.seq);
        Ok(claimed)
    }

    async fn mark_sent(&self, claimant: &str, seqs: &[u64]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut marked = 0;
        for seq in seqs {
            let done = sqlx::query(
                "UPDATE outbox SET sent = 1 WHERE seq = $1 AND claimant = $2 AND sent = 0",
            )
            .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
            .bind(claimant)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            marked += usize::try_from(done.rows_affected()).unwrap_or_default();
        }
        tx.commit().await.map_err(backend)?;
        Ok(marked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::Actor;
    use crate::service::Service;

    #[tokio::test]
    async fn sqlite_passes_the_conformance_suite() {
        let checks = super::super::conformance::run(|| async {
            SqlStore::open_sqlite_in_memory()
                .await
                .expect("in-memory SQLite opens")
        })
        .await;
        assert!(checks >= 15);
    }

    #[tokio::test]
    async fn a_sqlite_file_keeps_its_data_across_opens() {
        let dir = std::env::temp_dir().join(format!("earlybird-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keeps.sqlite");
        let path = path.to_str().unwrap();
        let _ = std::fs::remove_file(path);
        let customer = super::super::conformance::customer("C1");
        {
            let store = SqlStore::open_sqlite(path).await.unwrap();
            store
                .apply(ChangeSet::new().write(Write::Customer(customer.clone())))
                .await
                .unwrap();
        }
        let reopened = SqlStore::open_sqlite(path).await.unwrap();
        assert_eq!(reopened.customer("C1").await.unwrap(), Some(customer));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Everything a change set can touch, read back, to compare before and after.
    async fn snapshot(store: &SqlStore) -> String {
        let mut parts = Vec::new();
        for (table, column) in [
            ("customers", "doc"),
            ("products", "doc"),
            ("subscriptions", "doc"),
            ("orders", "doc"),
            ("deliveries", "doc"),
            ("payments", "doc"),
            ("audit", "doc"),
            ("outbox", "doc"),
            ("activation_events", "doc"),
            ("activation_snapshots", "doc"),
            ("activation_transitions", "doc"),
            ("loyalty_facts", "doc"),
            ("bills", "doc"),
            ("billed_sources", "source || bill_number"),
            ("credits", "doc"),
            ("wallet_entries", "doc"),
            (
                "bill_series",
                "CAST(financial_year AS TEXT) || ':' || CAST(last_number AS TEXT)",
            ),
        ] {
            let sql = format!("SELECT COUNT(*), COALESCE(MAX({column}), '') FROM {table}");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(&store.pool)
                .await
                .unwrap();
            parts.push(format!(
                "{table}: {} {}",
                row.get::<i64, _>(0),
                row.get::<String, _>(1)
            ));
        }
        parts.join("\n")
    }

    /// A change set that writes every table once, in the order `apply` writes them.
    fn touching_every_table() -> ChangeSet {
        use super::super::conformance::customer;
        let order: Order = crate::record::Record::from_json(
            r#"{"id": "O9", "customer_id": "C1", "delivery_date": "2026-01-15", "status": "PENDING",
                "items": [{"product_id": "P1", "quantity": 1, "unit_price": "10.00"}]}"#,
        )
        .unwrap();
        let payment: Payment = crate::record::Record::from_json(
            r#"{"id": "PAY9", "customer_id": "C1", "amount": "10.00", "method": "upi", "date": "2026-01-15"}"#,
        )
        .unwrap();
        let at: DateTime<Utc> = "2026-01-15T00:00:00Z".parse().unwrap();
        ChangeSet::new()
            .write(Write::Customer(Customer {
                name: "Changed".into(),
                ..customer("C1")
            }))
            .write(Write::Order(order.clone()))
            .write(Write::Payment(payment))
            .write(Write::Credit(crate::billing::Credit {
                id: "CN9".into(),
                customer_id: "C1".into(),
                kind: crate::billing::CreditKind::CreditNote,
                amount: rust_decimal::Decimal::new(500, 2),
                date: at.date_naive(),
                order_id: Some("O9".into()),
                delivery_id: None,
                reason: None,
            }))
            .write(Write::WalletEntry(crate::billing::WalletEntry {
                id: "W9".into(),
                customer_id: "C1".into(),
                kind: crate::billing::WalletEntryKind::TopUp,
                amount: rust_decimal::Decimal::new(1000, 2),
                date: at.date_naive(),
                expires_on: None,
                reference: None,
            }))
            .audit([AuditRecord::change(
                "order",
                "O9",
                "created",
                "test",
                at,
                None,
                Some(&order),
            )])
            .notify([NotificationIntent {
                template: "order_confirmation".into(),
                customer_id: "C1".into(),
                variables: Default::default(),
                at,
            }])
    }

    /// A failure injected before any write of a change set (a trigger that aborts the
    /// insert into one table) leaves the database exactly as it was.
    async fn faults_leave_nothing_behind(
        store: &SqlStore,
        abort: impl Fn(&str) -> Vec<String>,
        clear: impl Fn(&str) -> Vec<String>,
    ) {
        use super::super::conformance::customer;
        store
            .apply(ChangeSet::new().write(Write::Customer(customer("C1"))))
            .await
            .unwrap();
        for table in [
            "customers",
            "orders",
            "payments",
            "credits",
            "wallet_entries",
            "audit",
            "outbox",
        ] {
            let before = snapshot(store).await;
            for statement in abort(table) {
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&store.pool)
                    .await
                    .unwrap();
            }
            let result = store.apply(touching_every_table()).await;
            assert!(
                matches!(result, Err(StoreError::Backend(_))),
                "a fault at {table} fails the change: {result:?}"
            );
            assert_eq!(
                snapshot(store).await,
                before,
                "a fault at {table} leaves nothing behind"
            );
            for statement in clear(table) {
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&store.pool)
                    .await
                    .unwrap();
            }
        }
        store
            .apply(touching_every_table())
            .await
            .expect("without faults the change applies");
    }

    /// The service's operations, in the order a customer goes through them.
    #[derive(Debug, Clone, Copy)]
    enum Step {
        Register,
        Place,
        Dispatch,
        Confirm,
        Finalize,
        Pay,
        Redeem,
        Sweep,
    }

    impl Step {
        const ALL: [Step; 8] = [
            Step::Register,
            Step::Place,
            Step::Dispatch,
            Step::Confirm,
            Step::Finalize,
            Step::Pay,
            Step::Redeem,
            Step::Sweep,
        ];

        /// Every table the operation writes.
        fn tables(self) -> &'static [&'static str] {
            const ACTIVATION: [&str; 3] = [
                "activation_events",
                "activation_snapshots",
                "activation_transitions",
            ];
            match self {
                Step::Register => &[
                    "customers",
                    "audit",
                    "outbox",
                    ACTIVATION[0],
                    ACTIVATION[1],
                    ACTIVATION[2],
                ],
                Step::Place => &[
                    "orders",
                    "audit",
                    "outbox",
                    ACTIVATION[0],
                    ACTIVATION[1],
                    ACTIVATION[2],
                ],
                Step::Dispatch => &["orders", "audit"],
                Step::Confirm => &[
                    "orders",
                    "deliveries",
                    "audit",
                    "outbox",
                    ACTIVATION[0],
                    ACTIVATION[1],
                    ACTIVATION[2],
                    "loyalty_facts",
                ],
                Step::Finalize => &["bill_series", "bills", "billed_sources", "audit", "outbox"],
                Step::Pay => &["payments", "audit", "outbox", "loyalty_facts"],
                Step::Redeem => &["loyalty_facts", "credits", "audit"],
                Step::Sweep => &[
                    "activation_snapshots",
                    "activation_transitions",
                    "audit",
                    "outbox",
                ],
            }
        }

        async fn run(self, service: &Service<SqlStore>) -> crate::error::Result<()> {
            use crate::service::tests::{actor, customer, order, payment};
            match self {
                Step::Register => service
                    .register_customer(customer(), &actor(0))
                    .await
                    .map(|_| ()),
                Step::Place => service.place_order(order(), &actor(2)).await.map(|_| ()),
                Step::Dispatch => service.dispatch_order("O1", &actor(3)).await.map(|_| ()),
                Step::Confirm => service
                    .confirm_delivery("O1", &[rust_decimal::Decimal::TWO], None, &actor(4))
                    .await
                    .map(|_| ()),
                Step::Finalize => service
                    .finalize_month(
                        crate::billing::Month::new(2026, 1).unwrap(),
                        &Actor::new("billing", actor(0).at + Duration::days(20)),
                    )
                    .await
                    .map(|_| ()),
                Step::Pay => service
                    .record_payment(payment("PAY1", "2000.00"), &actor(5))
                    .await
                    .map(|_| ()),
                Step::Redeem => service
                    .redeem_points(
                        "C1",
                        100,
                        rust_decimal::Decimal::new(5000, 0),
                        "BILL-1",
                        actor(6).at,
                    )
                    .await
                    .map(|_| ()),
                Step::Sweep => service
                    .run_daily_sweep(actor(0).at + Duration::days(60))
                    .await
                    .map(|_| ()),
            }
        }
    }

    /// For each operation of the service, a failure injected at each table it writes fails
    /// the operation and leaves the database exactly as it was; then it applies unfaulted.
    async fn service_faults_leave_nothing_behind(
        store: SqlStore,
        abort: impl Fn(&str) -> Vec<String>,
        clear: impl Fn(&str) -> Vec<String>,
    ) {
        let service = Service::new(store);
        let pool = service.store().pool.clone();
        service
            .store()
            .apply(ChangeSet::new().write(Write::Product(milk())))
            .await
            .unwrap();
        for step in Step::ALL {
            for table in step.tables() {
                let before = snapshot(service.store()).await;
                for statement in abort(table) {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                        .execute(&pool)
                        .await
                        .unwrap();
                }
                let result = step.run(&service).await;
                assert!(result.is_err(), "{step:?} fails with a fault at {table}");
                assert_eq!(
                    snapshot(service.store()).await,
                    before,
                    "{step:?} with a fault at {table} leaves nothing behind"
                );
                for statement in clear(table) {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                        .execute(&pool)
                        .await
                        .unwrap();
                }
            }
            step.run(&service)
                .await
                .unwrap_or_else(|e| panic!("{step:?} without faults: {e}"));
        }
    }

    fn milk() -> Product {
        crate::record::Record::from_json(
            r#"{"id": "P1", "name": "Toned milk 500 ml", "prices": [{"price": "28.50", "effective_from": "2026-01-01"}]}"#,
        )
        .unwrap()
    }

    fn sqlite_abort(t: &str) -> Vec<String> {
        vec![format!(
            "CREATE TRIGGER fault_{t} BEFORE INSERT ON {t} BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )]
    }

    fn sqlite_clear(t: &str) -> Vec<String> {
        vec![format!("DROP TRIGGER fault_{t}")]
    }

    #[tokio::test]
    async fn sqlite_service_faults_leave_nothing_behind() {
        let store = SqlStore::open_sqlite_in_memory().await.unwrap();
        service_faults_leave_nothing_behind(store, sqlite_abort, sqlite_clear).await;
    }

    #[tokio::test]
    async fn postgres_service_faults_leave_nothing_behind() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let store = fresh_postgres(&admin, "service_faults").await;
        sqlx::raw_sql(
            "CREATE FUNCTION injected_fault() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        service_faults_leave_nothing_behind(
            store,
            |t| vec![format!("CREATE TRIGGER fault_{t} BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION injected_fault()")],
            |t| vec![format!("DROP TRIGGER fault_{t} ON {t}")],
        )
        .await;
    }

    /// Everything an import writes, read back, to compare two stores.
    async fn imported<S: Store>(store: &S) -> String {
        let mut parts = Vec::new();
        for c in store.customers().await.unwrap() {
            parts.push(serde_json::to_string(&c).unwrap());
            for o in store.orders_of(&c.id).await.unwrap() {
                parts.push(serde_json::to_string(&o).unwrap());
            }
            for d in store.deliveries_of(&c.id).await.unwrap() {
                parts.push(serde_json::to_string(&d).unwrap());
            }
            for p in store.payments_of(&c.id).await.unwrap() {
                parts.push(serde_json::to_string(&p).unwrap());
            }
        }
        parts.join("\n")
    }

    /// PostgreSQL imports through COPY: text that needs escaping and records already stored
    /// (replaced) end as one upsert per record would leave them; a failure leaves nothing
    /// behind.
    #[tokio::test]
    async fn postgres_imports_through_copy_as_one_upsert_per_record_would() {
        use crate::store::MemoryStore;
        use crate::store::import::{ImportMode, import};
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let export = serde_json::json!({
            "customers": [
                {"id": "C1", "name": "Asha\tK\\N \"Ji\"\nसुबह", "phone": "9845012345", "signup_date": "2026-01-02"},
                {"id": "C2", "name": "Ravi K", "phone": "9845012346", "signup_date": "2026-01-02"}
            ],
            "orders": [
                {"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-15", "status": "DELIVERED",
                 "items": [{"product_id": "P1", "quantity": 1, "unit_price": "10.50"}]}
            ],
            "payments": [
                {"id": "PAY1", "customer_id": "C2", "amount": "560.00", "method": "upi", "date": "2026-02-03"}
            ]
        });
        let at: DateTime<Utc> = "2026-11-25T00:00:00Z".parse().unwrap();
        let store = fresh_postgres(&admin, "copy").await;
        store
            .apply(
                ChangeSet::new().write(Write::Customer(super::super::conformance::customer("C1"))),
            )
            .await
            .unwrap();
        let memory = MemoryStore::new();
        let on_postgres = import(&store, &export, ImportMode::AllOrNothing, "ops", at).await;
        assert!(on_postgres.unwrap().rejected.is_empty());
        let in_memory = import(&memory, &export, ImportMode::AllOrNothing, "ops", at).await;
        assert!(in_memory.unwrap().rejected.is_empty());
        assert_eq!(imported(&store).await, imported(&memory).await);
        assert_eq!(store.customer("C2").await.unwrap().unwrap().name, "Ravi K");
        assert_eq!(
            store
                .audit_trail("import", &at.to_rfc3339())
                .await
                .unwrap()
                .len(),
            1
        );

        let before = snapshot(&store).await;
        sqlx::raw_sql(
            "CREATE FUNCTION injected_fault() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER fault_payments BEFORE INSERT ON payments
             FOR EACH ROW EXECUTE FUNCTION injected_fault()",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let failed = import(&store, &export, ImportMode::AllOrNothing, "ops", at).await;
        assert!(failed.is_err());
        assert_eq!(
            snapshot(&store).await,
            before,
            "a failed import leaves nothing behind"
        );
    }

    #[tokio::test]
    async fn the_engines_follow_the_operations_on_sqlite() {
        let store = SqlStore::open_sqlite_in_memory().await.unwrap();
        crate::service::tests::a_customer_through_the_engines(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn the_engines_follow_the_operations_on_postgres() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let store = fresh_postgres(&admin, "engines").await;
        crate::service::tests::a_customer_through_the_engines(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn redeemed_points_credit_the_bill_on_sqlite() {
        let store = SqlStore::open_sqlite_in_memory().await.unwrap();
        crate::service::tests::redeemed_points_credit_the_bill(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn redeemed_points_credit_the_bill_on_postgres() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let store = fresh_postgres(&admin, "credited").await;
        crate::service::tests::redeemed_points_credit_the_bill(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn a_wallet_pays_the_bills_on_sqlite() {
        let store = SqlStore::open_sqlite_in_memory().await.unwrap();
        crate::service::tests::a_wallet_pays_the_bills(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn a_wallet_pays_the_bills_on_postgres() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let store = fresh_postgres(&admin, "wallet").await;
        crate::service::tests::a_wallet_pays_the_bills(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn a_month_is_finalized_once_on_sqlite() {
        let store = SqlStore::open_sqlite_in_memory().await.unwrap();
        crate::service::tests::a_month_finalized(&Service::new(store)).await;
    }

    #[tokio::test]
    async fn a_month_is_finalized_once_on_postgres() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let store = fresh_postgres(&admin, "finalized").await;
        crate::service::tests::a_month_finalized(&Service::new(store)).await;
    }

    /// Several app servers finalizing October while delivery persons confirm October's
    /// last orders: every delivered order item ends on exactly one bill (October's, or
    /// November's as arrears when confirmed after its customer's October bill), and the bill
    /// numbers run 1, 2, 3... with no gap and no duplicate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_finalizations_and_confirmations_on_postgres() {
        use crate::billing::{LineKind, Month, SourceRef};
        use std::collections::BTreeMap;
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        const CUSTOMERS: usize = 40;
        let store = fresh_postgres(&admin, "concurrent_billing").await;
        let order = |id: String, customer: usize, day: u32, status: &str| -> Order {
            let delivered = if status == "DELIVERED" {
                r#", "delivered_quantity": 1"#
            } else {
                ""
            };
            crate::record::Record::from_json(&format!(
                r#"{{"id": "{id}", "customer_id": "C{customer:02}", "delivery_date": "2026-10-{day:02}",
                    "status": "{status}",
                    "items": [{{"product_id": "P1", "quantity": 1, "unit_price": "28.50"{delivered}}}]}}"#
            ))
            .unwrap()
        };
        let mut seed = ChangeSet::new().write(Write::Product(milk()));
        for c in 0..CUSTOMERS {
            // Half the customers have something billable before the confirmations start.
            if c % 2 == 0 {
                seed = seed.write(Write::Order(order(format!("A{c:02}"), c, 5, "DELIVERED")));
            }
            seed = seed.write(Write::Order(order(
                format!("B{c:02}"),
                c,
                31,
                "OUT_FOR_DELIVERY",
            )));
        }
        store.apply(seed).await.unwrap();
        let service = Service::new(store);
        let october = Month::new(2026, 10).unwrap();
        let at: DateTime<Utc> = "2026-11-01T01:00:00Z".parse().unwrap();
        let mut tasks = Vec::new();
        for f in 0..4 {
            let service = service.clone();
            tasks.push(tokio::spawn(async move {
                let actor = Actor::new(format!("billing-{f}"), at);
                let mut billed = 0;
                for _ in 0..3 {
                    billed += service.finalize_month(october, &actor).await?.len();
                    tokio::task::yield_now().await;
                }
                Ok::<usize, crate::error::Error>(billed)
            }));
        }
        for d in 0..4 {
            let service = service.clone();
            tasks.push(tokio::spawn(async move {
                let actor = Actor::new(format!("DB_{d}"), at);
                for c in (d..CUSTOMERS).step_by(4) {
                    service
                        .confirm_delivery(
                            &format!("B{c:02}"),
                            &[rust_decimal::Decimal::ONE],
                            None,
                            &actor,
                        )
                        .await?;
                }
                Ok(0)
            }));
        }
        let mut billed_by_tasks = 0;
        for task in tasks {
            billed_by_tasks += task.await.unwrap().unwrap();
        }
        let late = Actor::new("billing", at + Duration::days(30));
        let october_rest = service.finalize_month(october, &late).await.unwrap().len();
        let november = Month::new(2026, 11).unwrap();
        service.finalize_month(november, &late).await.unwrap();

        let input = service
            .store()
            .billing_input(november.last_day())
            .await
            .unwrap();
        assert!(billed_by_tasks + october_rest >= CUSTOMERS / 2);
        let mut serials: Vec<u32> = input
            .bills
            .iter()
            .map(|b| {
                let number = b.number.as_deref().unwrap();
                number.rsplit('/').next().unwrap().parse().unwrap()
            })
            .collect();
        serials.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(input.bills.len()).unwrap()).collect();
        assert_eq!(serials, expected, "consecutive, no gap, no duplicate");
        assert_eq!(
            service
                .store()
                .number_series()
                .await
                .unwrap()
                .map(|s| s.last),
            expected.last().copied()
        );
        let mut billed: BTreeMap<SourceRef, usize> = BTreeMap::new();
        for bill in &input.bills {
            for (kind, s) in bill.sources() {
                if kind.bills_for_the_first_time() {
                    *billed.entry(s.source.clone()).or_default() += 1;
                }
                assert_ne!(kind, LineKind::Adjustment, "nothing needed correcting");
            }
        }
        let delivered: Vec<String> = input
            .orders
            .iter()
            .filter(|o| o.status == crate::record::OrderStatus::Delivered)
            .map(|o| o.id.clone())
            .collect();
        assert_eq!(delivered.len(), CUSTOMERS + CUSTOMERS / 2);
        for id in &delivered {
            let source = SourceRef::OrderItem {
                order_id: id.as_str().into(),
                item: 0,
            };
            assert_eq!(billed.get(&source), Some(&1), "{id} billed exactly once");
        }
        assert_eq!(billed.len(), delivered.len(), "nothing else billed");
        let report = crate::billing::reconcile(&input, november);
        assert!(report.missing.is_empty(), "{report:?}");
        assert!(report.inconsistencies.is_empty(), "{report:?}");
    }

    #[tokio::test]
    async fn sqlite_faults_between_writes_leave_nothing_behind() {
        let store = SqlStore::open_sqlite_in_memory().await.unwrap();
        faults_leave_nothing_behind(
            &store,
            |t| vec![format!("CREATE TRIGGER fault_{t} BEFORE INSERT ON {t} BEGIN SELECT RAISE(ABORT, 'injected fault'); END")],
            |t| vec![format!("DROP TRIGGER fault_{t}")],
        )
        .await;
    }

    #[tokio::test]
    async fn postgres_faults_between_writes_leave_nothing_behind() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let store = fresh_postgres(&admin, "faults").await;
        sqlx::raw_sql(
            "CREATE FUNCTION injected_fault() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        faults_leave_nothing_behind(
            &store,
            |t| vec![format!("CREATE TRIGGER fault_{t} BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION injected_fault()")],
            |t| vec![format!("DROP TRIGGER fault_{t} ON {t}")],
        )
        .await;
    }

    /// PostgreSQL is tested against a real server: `tests/run-all.sh` starts one and sets
    /// `EARLYBIRD_TEST_POSTGRES_URL` (an admin URL; each check gets a database of its own).
    /// Without it the test fails, unless `EARLYBIRD_SKIP_POSTGRES=1` says to skip on purpose.
    #[tokio::test]
    async fn postgres_passes_the_conformance_suite() {
        let Some(admin) = postgres_admin_url() else {
            return;
        };
        let counter = std::sync::atomic::AtomicUsize::new(0);
        let checks = super::super::conformance::run(|| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let admin = admin.clone();
            async move { fresh_postgres(&admin, &format!("conformance_{n}")).await }
        })
        .await;
        assert!(checks >= 15);
    }

    pub(crate) fn postgres_admin_url() -> Option<String> {
        match std::env::var("EARLYBIRD_TEST_POSTGRES_URL") {
            Ok(url) => Some(url),
            Err(_) if std::env::var_os("EARLYBIRD_SKIP_POSTGRES").is_some() => {
                eprintln!("PostgreSQL tests SKIPPED on purpose (EARLYBIRD_SKIP_POSTGRES is set)");
                None
            }
            Err(_) => panic!(
                "EARLYBIRD_TEST_POSTGRES_URL is not set: run tests/run-all.sh (it starts PostgreSQL), \
                 or set EARLYBIRD_SKIP_POSTGRES=1 to skip the PostgreSQL tests on purpose"
            ),
        }
    }

    /// A new, empty, migrated database on the test server.
    pub(crate) async fn fresh_postgres(admin: &str, name: &str) -> SqlStore {
        let name = format!("eb_{}_{name}", std::process::id());
        let admin_store = SqlStore::open(admin)
            .await
            .expect("the test PostgreSQL server answers");
        let drop = format!("DROP DATABASE IF EXISTS {name}");
        let create = format!("CREATE DATABASE {name}");
        for statement in [drop, create] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&admin_store.pool)
                .await
                .expect("database created");
        }
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        SqlStore::open(&format!("{base}/{name}"))
            .await
            .expect("fresh database opens")
    }
}
