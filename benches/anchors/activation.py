"""Anchors for the activation benchmark, run by `benches/src/bin/activation.rs --anchors`.

Reads the generated data the Rust program exported (little-endian i32 files; days are counted
from 0001-01-01 as day 1, so (day - 1) // 7 is a Monday-based week), then times on one thread:
  - a naive pure-Python sweep that only compares each customer's last activity date with
    today (no fold, no engagement window, no holidays);
  - weekly cohort retention in pandas;
  - weekly cohort retention in DuckDB (SET threads = 1).
Prints one `name wall_s cpu_s` line per measurement; preparation (loading) is not timed.
"""

import sys
import time

import duckdb
import numpy as np
import pandas as pd


def timed(f):
    wall, cpu = time.perf_counter(), time.process_time()
    out = f()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def best(runs, f):
    return min((timed(f) for _ in range(runs)), key=lambda r: r[0])


def main():
    folder, today = sys.argv[1], int(sys.argv[2])
    signup = np.fromfile(f"{folder}/signup.i32", dtype="<i4")
    customer = np.fromfile(f"{folder}/activity_customer.i32", dtype="<i4")
    day = np.fromfile(f"{folder}/activity_day.i32", dtype="<i4")

    last = np.full(len(signup), -1, dtype=np.int64)
    np.maximum.at(last, customer, day)
    last_list = last.tolist()

    def naive_sweep():
        made = []
        for i, l in enumerate(last_list):
            if l < 0:
                continue
            gap = today - l
            if gap >= 60:
                made.append((i, "CHURNED"))
            elif gap >= 30:
                made.append((i, "INACTIVE"))
        return len(made)

    wall, cpu, _ = best(3, naive_sweep)
    print(f"python_naive_sweep {wall:.4f} {cpu:.4f}")

    activity = pd.DataFrame({"customer": customer, "day": day})
    signups = pd.Series(signup)

    def pandas_cohorts():
        cohort = (signups - 1) // 7
        a = activity[activity["day"] <= today]
        c = cohort.to_numpy()[a["customer"].to_numpy()]
        period = (a["day"].to_numpy() - 1) // 7 - c
        frame = pd.DataFrame({"customer": a["customer"].to_numpy(), "cohort": c, "period": period})
        frame = frame[frame["period"] >= 0].drop_duplicates(["customer", "period"])
        active = frame.groupby(["cohort", "period"]).size().unstack(fill_value=0)
        sizes = cohort[signups <= today].value_counts()
        return active.div(sizes, axis=0)

    wall, cpu, _ = best(3, pandas_cohorts)
    print(f"pandas_weekly_cohorts {wall:.4f} {cpu:.4f}")

    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.register("activity_df", activity)
    con.register("signup_df", pd.DataFrame({"customer": np.arange(len(signup), dtype=np.int32), "signup": signup}))
    con.execute("CREATE TABLE activity AS SELECT * FROM activity_df")
    con.execute("CREATE TABLE signup AS SELECT * FROM signup_df")
    query = f"""
        WITH s AS (SELECT customer, (signup - 1) // 7 AS cohort FROM signup WHERE signup <= {today}),
        p AS (
            SELECT DISTINCT a.customer, s.cohort, (a.day - 1) // 7 - s.cohort AS period
            FROM activity a JOIN s USING (customer)
            WHERE a.day <= {today} AND (a.day - 1) // 7 >= s.cohort
        ),
        sizes AS (SELECT cohort, count(*) AS size FROM s GROUP BY cohort)
        SELECT p.cohort, p.period, count(*) / any_value(sizes.size) AS retention
        FROM p JOIN sizes USING (cohort)
        GROUP BY p.cohort, p.period
    """

    wall, cpu, _ = best(3, lambda: con.execute(query).fetchall())
    print(f"duckdb_weekly_cohorts {wall:.4f} {cpu:.4f}")


if __name__ == "__main__":
    main()
