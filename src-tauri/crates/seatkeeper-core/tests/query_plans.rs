//! How SQLite runs Seatkeeper's statements: every compile-checked statement (the committed query
//! data in `.sqlx`) is planned against the migrated schema, and none may read a whole table once
//! for each row of another: a table scanned inside a correlated subquery, or as the inner loop of
//! a join. Such a statement takes a time that grows with the product of two tables' sizes. It is
//! not seen on a small organization and takes seconds on a large one: the rules' list counted
//! each model's seats and candidates that way, and the Audit Log looked for each record's undo.
//!
//! The database has no statistics (Seatkeeper never runs ANALYZE), so the plans here are the
//! plans the app runs.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use seatkeeper_core::Db;
use sqlx::{Either, Executor, Row};

/// One step of a plan, as `EXPLAIN QUERY PLAN` gives it.
struct Step {
    id: i64,
    parent: i64,
    detail: String,
}

/// The statements of the query data: (file name, SQL).
fn statements() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".sqlx");
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let data: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let sql =
                data["query"].as_str().unwrap_or_else(|| panic!("{}: no query", path.display())).to_owned();
            (path.file_name().unwrap().to_string_lossy().into_owned(), sql)
        })
        .collect();
    found.sort();
    found
}

/// The names a statement gives its common table expressions (`WITH name AS (…)`): a scan of one is
/// a scan of rows the statement made, not of a table.
fn cte_names(sql: &str) -> HashSet<String> {
    let words: Vec<&str> =
        sql.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    words
        .windows(3)
        .filter(|w| {
            w[1].eq_ignore_ascii_case("AS")
                && (w[2].starts_with('(') || w[2].eq_ignore_ascii_case("MATERIALIZED"))
        })
        .map(|w| w[0].to_owned())
        .collect()
}

/// The steps of `plan` that scan a table once per row of something else.
fn repeated_scans(plan: &[Step], ctes: &HashSet<String>) -> Vec<String> {
    let mut children: HashMap<i64, Vec<&Step>> = HashMap::new();
    for step in plan {
        children.entry(step.parent).or_default().push(step);
    }
    let scans_a_table = |detail: &str| {
        detail.strip_prefix("SCAN ").is_some_and(|rest| {
            let name = rest.split_whitespace().next().unwrap_or("");
            !name.starts_with('(') && !ctes.contains(name) && !rest.contains("VIRTUAL TABLE")
        })
    };
    let mut found = Vec::new();
    // (parent, inside a correlated subquery)
    let mut stack = vec![(0, false)];
    while let Some((parent, correlated)) = stack.pop() {
        let Some(steps) = children.get(&parent) else { continue };
        let loops = steps.iter().filter(|s| s.detail.starts_with("SCAN ") || s.detail.starts_with("SEARCH "));
        for (nth, step) in loops.enumerate() {
            if scans_a_table(&step.detail) && (nth > 0 || correlated) {
                found.push(step.detail.clone());
            }
        }
        for step in steps {
            stack.push((step.id, correlated || step.detail.starts_with("CORRELATED")));
        }
    }
    found
}

#[tokio::test]
async fn no_statement_reads_a_whole_table_for_each_row_of_another() {
    let db = Db::open_in_memory().await.unwrap();
    let statements = statements();
    assert!(statements.len() > 100, "the query data holds only {} statements", statements.len());
    let mut repeated = Vec::new();
    let mut planned = 0;
    for (file, sql) in &statements {
        // The statement's parameters, bound to NULL: planning does not look at their values.
        let described = db.pool().describe(sql).await.unwrap_or_else(|e| panic!("{file}: {e}"));
        let count = match described.parameters() {
            Some(Either::Right(count)) => count,
            Some(Either::Left(types)) => types.len(),
            None => 0,
        };
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let mut query = sqlx::query(&explain);
        for _ in 0..count {
            query = query.bind(None::<i64>);
        }
        let plan: Vec<Step> = query
            .fetch_all(db.pool())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .iter()
            .map(|row| Step { id: row.get(0), parent: row.get(1), detail: row.get(3) })
            .collect();
        // A plain INSERT … VALUES reads nothing and has no steps.
        planned += usize::from(!plan.is_empty());
        for scan in repeated_scans(&plan, &cte_names(sql)) {
            repeated.push(format!(
                "{file}: {scan}\n    {}",
                sql.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    assert!(planned > 100, "only {planned} statements have a plan");
    assert!(
        repeated.is_empty(),
        "statements that read a whole table for each row of another (add an index, or join once):\n{}",
        repeated.join("\n")
    );
}

/// The check itself finds a table scanned in a correlated subquery and as a join's inner loop, and
/// passes a table read through an index, a first loop's scan and a scan of a CTE.
#[test]
fn repeated_scans_are_told_from_single_ones() {
    let plan = |steps: &[(i64, i64, &str)]| {
        steps
            .iter()
            .map(|&(id, parent, detail)| Step { id, parent, detail: detail.to_owned() })
            .collect::<Vec<_>>()
    };
    let none = HashSet::new();
    let correlated = plan(&[
        (6, 0, "SEARCH m USING INDEX sqlite_autoindex_software_models_2 (profile_id=?)"),
        (24, 0, "CORRELATED SCALAR SUBQUERY 1"),
        (30, 24, "SCAN s USING INDEX software_subscriptions_open_by_model"),
    ]);
    assert_eq!(
        repeated_scans(&correlated, &none),
        ["SCAN s USING INDEX software_subscriptions_open_by_model"]
    );
    let inner = plan(&[(2, 0, "SCAN a"), (5, 0, "SCAN b")]);
    assert_eq!(repeated_scans(&inner, &none), ["SCAN b"]);
    let fine = plan(&[
        (2, 0, "SCAN l"),
        (4, 0, "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"),
        (9, 0, "CORRELATED SCALAR SUBQUERY 1"),
        (12, 9, "SEARCH u USING INDEX audit_log_by_undo (undo_of=?)"),
        (15, 0, "SCAN page"),
        (17, 0, "SCAN v VIRTUAL TABLE INDEX 1:"),
        (19, 0, "SCAN (subquery-2)"),
    ]);
    assert!(repeated_scans(&fine, &HashSet::from(["page".to_owned()])).is_empty());
    assert_eq!(
        cte_names("WITH page AS (SELECT 1), ids AS MATERIALIZED (SELECT 2) SELECT"),
        HashSet::from(["page".to_owned(), "ids".to_owned()])
    );
}
