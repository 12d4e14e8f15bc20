//! The benchmark's driver (`tests/bench/run.sh`): the same sync path as `seatkeeper run`
//! (`seatkeeper_cli::client` and `run_jobs` → the core's subscriptions and activity jobs →
//! SQLite), except that the API key comes from `SEATKEEPER_BENCH_TOKEN` instead of the keychain,
//! so that a benchmark never writes to the admin's keychain.
//!
//!   bench_sync prepare --db PATH --url BASE_URL        creates, validates and publishes a profile
//!   bench_sync run --db PATH [--rate-limit N|off] [--job all|subscriptions|events]
//!   bench_sync candidates --db PATH      times computing the removal candidates: from none (the
//!                                        candidates table emptied first), then again 5 times
//!   bench_sync usage --db PATH           times the License Usage view's data (the core function the
//!                                        `license_usage` command calls) 5 times, and its JSON size
//!   bench_sync reclaim --db PATH --count N [--rate-limit N|off] [--threshold DAYS]
//!                                        sets the paid rules' threshold (grace period 0) so that
//!                                        enough seats are candidates, then reclaims the first N
//!                                        Ready ones as `seatkeeper reclaim --candidate … --yes` does
//!
//! `run` prints one JSON line per finished job (its JobResult), like `seatkeeper run --json`;
//! `candidates`, `usage` and `reclaim` print one JSON object.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use futures::future::BoxFuture;
use seatkeeper_cli::reclamation::{reclaim_and_run, Selection};
use seatkeeper_cli::{CliError, JobChoice, ProgressMode};
use seatkeeper_core::connections::ClientOptions;
use seatkeeper_core::connections::ConnectionInput;
use seatkeeper_core::profiles::{ConnectionChoice, ProfileInput};
use seatkeeper_core::reclaim;
use seatkeeper_core::services::{
    create_profile, get_profile, list_profiles, publish_profile, validate_connection,
};
use seatkeeper_core::smartsheet::ApiToken;
use seatkeeper_core::{Db, Error, SecretStore, SystemClock};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// A keychain that holds one key, `SEATKEEPER_BENCH_TOKEN`, under every key id, and stores nothing.
struct BenchKey(ApiToken);

impl SecretStore for BenchKey {
    fn set<'a>(&'a self, _: &'a str, _: &'a ApiToken) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn get<'a>(&'a self, _: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<Option<ApiToken>>> {
        Box::pin(async { Ok(Some(self.0.clone())) })
    }
    fn delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_sync: {}", e.message);
            ExitCode::from(e.exit.max(1))
        }
    }
}

async fn run(args: &[String]) -> Result<(), CliError> {
    let usage = || {
        CliError::new(
            2,
            "usage: bench_sync prepare|run|candidates|usage|reclaim --db PATH [--url BASE_URL] [--rate-limit N|off] [--count N]",
        )
    };
    let db_path = PathBuf::from(arg(args, "--db").ok_or_else(usage)?);
    let key = std::env::var("SEATKEEPER_BENCH_TOKEN")
        .map_err(|_| CliError::new(2, "set SEATKEEPER_BENCH_TOKEN"))?;
    let secrets = BenchKey(ApiToken::new(key.clone()).map_err(|e| CliError::new(2, e.to_string()))?);
    match args.first().map(String::as_str) {
        Some("prepare") => {
            let url = arg(args, "--url").ok_or_else(usage)?;
            let db = Db::open(&db_path).await?;
            let input = ProfileInput {
                display_name: "Bench".into(),
                download_activity: true,
                analyze_activity_from: None,
                reclaim_subscriptions: true,
            };
            let connection = ConnectionChoice::New(ConnectionInput {
                name: "Bench".into(),
                url,
                api_key: key,
                trusted_host: None,
            });
            let profile = create_profile(&db, &secrets, &SystemClock, input, Some(connection)).await?;
            let validation =
                validate_connection(&db, &secrets, &SystemClock, profile.id, &ClientOptions::default())
                    .await?;
            if !validation.ok {
                return Err(CliError::new(1, validation.message));
            }
            let profile = publish_profile(&db, &SystemClock, profile.id).await?;
            println!(
                "{}",
                serde_json::json!({"profile": profile.id, "analyzeActivityFrom": profile.analyze_activity_from})
            );
            db.close().await;
            Ok(())
        }
        Some("run") => {
            let rate_limit = match arg(args, "--rate-limit").as_deref() {
                None => NonZeroU32::new(300),
                Some("off") => None,
                Some(n) => Some(n.parse().map_err(|_| usage())?),
            };
            let job = match arg(args, "--job").as_deref() {
                None | Some("all") => JobChoice::All,
                Some("subscriptions") => JobChoice::Subscriptions,
                Some("events") => JobChoice::Events,
                Some(_) => return Err(usage()),
            };
            let db = Db::open(&db_path).await?;
            let id = list_profiles(&db).await?.first().map(|p| p.id).ok_or_else(usage)?;
            let profile = get_profile(&db, id).await?;
            let client = seatkeeper_cli::client(&db, &secrets, &profile, rate_limit).await?;
            let mut print = |r: &seatkeeper_core::jobs::JobResult| {
                println!("{}", serde_json::to_string(r).expect("JSON"));
                Ok(())
            };
            seatkeeper_cli::run_jobs(
                &db,
                &client,
                &profile,
                job,
                ProgressMode::Quiet,
                &Default::default(),
                &mut print,
            )
            .await?;
            db.close().await;
            Ok(())
        }
        Some("candidates") => {
            let db = Db::open(&db_path).await?;
            let id = list_profiles(&db).await?.first().map(|p| p.id).ok_or_else(usage)?;
            sqlx::query("DELETE FROM removal_candidates").execute(db.pool()).await.map_err(Error::from)?;
            let started = Instant::now();
            let first = reclaim::compute(&db, &SystemClock, id).await?;
            let from_none_ms = started.elapsed().as_secs_f64() * 1000.0;
            let mut again_ms = Vec::new();
            for _ in 0..5 {
                let started = Instant::now();
                reclaim::compute(&db, &SystemClock, id).await?;
                again_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            // From none again, now that the database's pages are in SQLite's cache, as they are at
            // the end of a refresh (which has just read and written them on the same connection).
            let mut warm_none_ms = Vec::new();
            for _ in 0..5 {
                sqlx::query("DELETE FROM removal_candidates")
                    .execute(db.pool())
                    .await
                    .map_err(Error::from)?;
                let started = Instant::now();
                reclaim::compute(&db, &SystemClock, id).await?;
                warm_none_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            let subscriptions: i64 = sqlx::query_scalar("SELECT count(*) FROM software_subscriptions")
                .fetch_one(db.pool())
                .await
                .map_err(Error::from)?;
            println!(
                "{}",
                serde_json::json!({"subscriptions": subscriptions, "open": first.open, "fromNoneMs": from_none_ms,
                    "againMs": again_ms, "warmFromNoneMs": warm_none_ms})
            );
            db.close().await;
            Ok(())
        }
        Some("usage") => {
            let db = Db::open(&db_path).await?;
            let id = list_profiles(&db).await?.first().map(|p| p.id).ok_or_else(usage)?;
            let mut ms = Vec::new();
            let mut bytes = 0;
            for _ in 0..5 {
                let started = Instant::now();
                let view = seatkeeper_core::reconcile::license_usage(&db, &SystemClock, id).await?;
                ms.push(started.elapsed().as_secs_f64() * 1000.0);
                bytes = serde_json::to_vec(&view).expect("JSON").len();
            }
            println!("{}", serde_json::json!({"ms": ms, "jsonBytes": bytes}));
            db.close().await;
            Ok(())
        }
        Some("reclaim") => {
            let count: usize = arg(args, "--count").ok_or_else(usage)?.parse().map_err(|_| usage())?;
            let threshold: i64 =
                arg(args, "--threshold").map_or(Ok(7), |t| t.parse()).map_err(|_| usage())?;
            let rate_limit = match arg(args, "--rate-limit").as_deref() {
                None => NonZeroU32::new(300),
                Some("off") => None,
                Some(n) => Some(n.parse().map_err(|_| usage())?),
            };
            let db = Db::open(&db_path).await?;
            let id = list_profiles(&db).await?.first().map(|p| p.id).ok_or_else(usage)?;
            let profile = get_profile(&db, id).await?;
            for rule in reclaim::list_rules(&db, id).await?.into_iter().filter(|r| r.paid) {
                let input = reclaim::RuleInput {
                    last_activity_threshold_days: threshold,
                    grace_period_days: 0,
                    ..reclaim::RuleInput::defaults()
                };
                reclaim::update_rule(&db, &SystemClock, rule.id, input).await?;
            }
            reclaim::compute(&db, &SystemClock, id).await?;
            let ready = reclaim::CandidateFilter {
                profile_id: Some(id),
                states: vec![reclaim::CandidateState::Ready],
                ..reclaim::CandidateFilter::default()
            };
            let ids: Vec<i64> =
                reclaim::candidate_ids(&db, &SystemClock, &ready).await?.into_iter().take(count).collect();
            if ids.len() < count {
                return Err(CliError::new(
                    1,
                    format!("only {} Ready candidates for --count {count}", ids.len()),
                ));
            }
            let client = seatkeeper_cli::client(&db, &secrets, &profile, rate_limit).await?;
            let selection = Selection::Candidates(ids);
            let started = Instant::now();
            let run = reclaim_and_run(
                &db,
                &client,
                &profile,
                Some(&selection),
                "bench",
                ProgressMode::Quiet,
                &CancellationToken::new(),
            )
            .await?;
            let seconds = started.elapsed().as_secs_f64();
            let result = run.result.ok_or_else(|| CliError::new(1, "the reclaim did not run"))?;
            println!("{}", serde_json::json!({"seconds": seconds, "result": result}));
            db.close().await;
            Ok(())
        }
        _ => Err(usage()),
    }
}
