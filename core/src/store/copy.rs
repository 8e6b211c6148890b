//! PostgreSQL's fast path for a bulk import: each table's rows are streamed with
//! `COPY ... FROM STDIN` into a temporary table, then moved with one
//! `INSERT ... SELECT ... ON CONFLICT` per table — instead of one upsert per record. sqlx's
//! `Any` driver cannot COPY, so this path holds a PostgreSQL pool of its own.

use std::collections::HashMap;

use sqlx::PgPool;

use super::{Applied, ChangeSet, StoreError, Write};

/// The tables a bulk change set writes, in the order `apply` writes them, with their
/// columns and the upsert moving the copied rows in.
const TABLES: [(&str, &str, &str); 6] = [
    ("customers", "id, doc", "doc = excluded.doc"),
    ("products", "id, doc", "doc = excluded.doc"),
    (
        "subscriptions",
        "id, customer_id, doc",
        "customer_id = excluded.customer_id, doc = excluded.doc",
    ),
    (
        "orders",
        "id, customer_id, delivery_date, status, doc",
        "customer_id = excluded.customer_id, delivery_date = excluded.delivery_date,
         status = excluded.status, doc = excluded.doc",
    ),
    (
        "deliveries",
        "id, customer_id, date, doc",
        "customer_id = excluded.customer_id, date = excluded.date, doc = excluded.doc",
    ),
    (
        "payments",
        "id, customer_id, date, doc",
        "customer_id = excluded.customer_id, date = excluded.date, doc = excluded.doc",
    ),
];

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
fn push_field(line: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => line.push_str("\\\\"),
            '\t' => line.push_str("\\t"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
}

/// The table index and the column values of a record write; `None` for other writes.
fn row(write: &Write) -> Result<Option<(usize, Vec<String>)>, StoreError> {
    Ok(Some(match write {
        Write::Customer(c) => (0, vec![c.id.clone(), doc(c)?]),
        Write::Product(p) => (1, vec![p.id.clone(), doc(p)?]),
        Write::Subscription(s) => (2, vec![s.id.clone(), s.customer_id.clone(), doc(s)?]),
        Write::Order(o) => (
            3,
            vec![
                o.id.clone(),
                o.customer_id.clone(),
                o.delivery_date.to_string(),
                o.status.as_str().to_owned(),
                doc(o)?,
            ],
        ),
        Write::Delivery(d) => (
            4,
            vec![
                d.id.clone(),
                d.customer_id.clone(),
                d.date.to_string(),
                doc(d)?,
            ],
        ),
        Write::Payment(p) => (
            5,
            vec![
                p.id.clone(),
                p.customer_id.clone(),
                p.date.to_string(),
                doc(p)?,
            ],
        ),
        _ => return Ok(None),
    }))
}

/// A record as its canonical JSON.
fn doc<T: serde::Serialize>(record: &T) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(backend)
}

/// Whether `changes` can take the COPY path: records only, nothing to check first.
pub(super) fn copyable(changes: &ChangeSet) -> bool {
    changes.expectations.is_empty()
        && changes.intents.is_empty()
        && changes.writes.iter().all(|w| {
            matches!(
                w,
                Write::Customer(_)
                    | Write::Product(_)
                    | Write::Subscription(_)
                    | Write::Order(_)
                    | Write::Delivery(_)
                    | Write::Payment(_)
            )
        })
}

/// Applies a [`copyable`] change set in one transaction. A record written twice keeps its
/// last version, as one upsert per record would.
pub(super) async fn apply(pool: &PgPool, changes: &ChangeSet) -> Result<Applied, StoreError> {
    let mut tables: [Vec<Vec<String>>; 6] = Default::default();
    let mut positions: [HashMap<String, usize>; 6] = Default::default();
    for write in &changes.writes {
        let Some((table, values)) = row(write)? else {
            continue;
        };
        let id = values[0].clone();
        match positions[table].get(&id) {
            Some(at) => tables[table][*at] = values,
            None => {
                positions[table].insert(id, tables[table].len());
                tables[table].push(values);
            }
        }
    }
    let mut tx = pool.begin().await.map_err(backend)?;
    for ((name, columns, update), rows) in TABLES.iter().zip(&tables) {
        if rows.is_empty() {
            continue;
        }
        let staging = format!("import_{name}");
        let create =
            format!("CREATE TEMP TABLE {staging} (LIKE {name} INCLUDING DEFAULTS) ON COMMIT DROP");
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let mut data = String::new();
        for values in rows {
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    data.push('\t');
                }
                push_field(&mut data, value);
            }
            data.push('\n');
        }
        let mut copy = tx
            .copy_in_raw(&format!("COPY {staging} ({columns}) FROM STDIN"))
            .await
            .map_err(backend)?;
        let sent = copy.send(data.into_bytes()).await.map(|_| ());
        if let Err(e) = sent {
            copy.abort(e.to_string()).await.map_err(backend)?;
            return Err(backend(e));
        }
        copy.finish().await.map_err(backend)?;
        let insert = format!(
            "INSERT INTO {name} ({columns}) SELECT {columns} FROM {staging}
             ON CONFLICT (id) DO UPDATE SET {update}"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(insert))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    for record in &changes.audit {
        sqlx::query("INSERT INTO audit (entity, entity_id, doc) VALUES ($1, $2, $3)")
            .bind(record.entity.as_str())
            .bind(record.entity_id.as_str())
            .bind(doc(record)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(Applied::default())
}
