//! `smartsheet-sim serve …`: starts the simulator, prints one JSON line describing it, and serves
//! until killed.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use smartsheet_sim::{ControlAccess, FaultSpec, RateLimit, Region, SimConfig};

#[derive(Parser)]
#[command(
    name = "smartsheet-sim",
    version,
    about = "A Smartsheet API 2.0 simulator for tests, benchmarks and demos"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an organization and serve it on loopback.
    Serve(Serve),
}

/// Whether to serve the control endpoints under `/__sim`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Control {
    /// Served to requests with the secret printed as `control_secret` (a new one every start).
    Secret,
    /// Not served: `/__sim/...` answers 404.
    Off,
}

#[derive(clap::Args)]
struct Serve {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The Smartsheet region to pose as; tokens of other regions are rejected (401/1002).
    #[arg(long, value_enum, default_value_t = Region::Us)]
    region: Region,
    /// Same seed, same organization, same answers.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of users in the organization (at least 3).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(3..=1_000_000))]
    users: u32,
    /// Days of activity history before now.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=3650))]
    days: u32,
    /// Aim the history at about this many events (default: a third of an event per user per day).
    #[arg(long)]
    events: Option<u64>,
    /// A legacy plan (licensedSheetCreator) instead of the User Subscription Model.
    #[arg(long)]
    legacy: bool,
    /// The organization has no Event Reporting add-on (GET /events answers 403).
    #[arg(long)]
    no_event_reporting: bool,
    /// Requests per minute per token, or `off`.
    #[arg(long, default_value = "300")]
    rate_limit: RateLimit,
    /// Do not send Retry-After with 429 answers.
    #[arg(long)]
    no_retry_after: bool,
    /// Faults to inject, e.g. `latency=20ms,500=0.05,503=0.05,drop=0.01,truncate=0.01,storm=100/20`.
    /// Keys: latency=MS|MIN-MAX, 500, 503, 4000, 4002, drop, truncate, 429 (shares 0..1, before the
    /// handler runs), storm=EVERY/LEN, and for writes only (POST/PUT/DELETE, applied first):
    /// lost_write=P (answered 500/4004) and drop_after_write=P (no answer).
    #[arg(long, default_value = "")]
    faults: FaultSpec,
    /// The simulated now (RFC 3339); default midnight UTC today.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// How many days back `GET /events?since=` may reach.
    #[arg(long, default_value_t = 365)]
    retention_days: u32,
    /// The control endpoints (/__sim/...): `secret` serves them to requests with the header
    /// X-Sim-Control-Secret set to the startup line's control_secret; `off` does not serve them.
    #[arg(long, value_enum, default_value_t = Control::Secret)]
    control: Control,
}

/// 128 random bits from the operating system's generator (via `rand`'s thread generator), as 32
/// hex digits.
fn new_control_secret() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[tokio::main]
async fn main() -> ExitCode {
    let Command::Serve(args) = Cli::parse().command;
    let config = SimConfig {
        port: args.port,
        region: args.region,
        seed: args.seed,
        users: args.users,
        days: args.days,
        legacy: args.legacy,
        event_reporting: !args.no_event_reporting,
        rate_limit: args.rate_limit,
        retry_after: !args.no_retry_after,
        faults: args.faults,
        now: args.now.unwrap_or_else(SimConfig::today),
        retention_days: args.retention_days,
        control: match args.control {
            Control::Secret => ControlAccess::Secret(new_control_secret()),
            Control::Off => ControlAccess::Off,
        },
    };
    let handle = match smartsheet_sim::spawn_with_events(config, args.events).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("smartsheet-sim: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    let line = serde_json::to_string(handle.info()).unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}").and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    drop(stdout);
    match handle.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("smartsheet-sim: server stopped: {e}");
            ExitCode::from(1)
        }
    }
}
