//! `seatkeeper`: Seatkeeper without a window, for cron. See the crate's library for what each
//! command does and the exit codes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use seatkeeper_cli::{
    CliError, CliResult, JobChoice, ListChoice, ProgressMode, APP_IDENTIFIER, EXIT_FAILED, EXIT_NOT_FOUND,
    EXIT_OK,
};
use seatkeeper_core::jobs::JobStatus;
use seatkeeper_core::KeyringStore;

/// Seatkeeper from the command line: the app's database and keychain, no window.
///
/// Exit codes: 0 success; 1 a job or the validation failed (or a run was cancelled with Ctrl-C; a
/// second Ctrl-C stops at once with 130); 2 usage error; 3 profile not found or not
/// published (or no database); 4 system keychain unavailable or the API key missing from it.
#[derive(Debug, Parser)]
#[command(name = "seatkeeper", version, about, long_about = None)]
struct Cli {
    /// The database [default: the app's, <data dir>/com.seatkeeper.app/seatkeeper.db]
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the integration profiles: id, Display Name, Status, connection, last sync.
    Profiles,
    /// Validate a profile's connection (reachability, key, System Admin, Event Reporting).
    Validate {
        /// The profile's id or Display Name.
        profile: String,
    },
    /// Run a published profile's refresh jobs now (subscriptions, then events).
    Run {
        /// The profile's id or Display Name.
        profile: String,
        /// Which job to run.
        #[arg(long, value_enum, default_value = "all")]
        job: JobChoice,
        /// Print one JSON object per finished job (its Scheduled Job Result) instead of a summary line.
        #[arg(long)]
        json: bool,
        /// Requests per minute this run allows itself (Smartsheet allows 300 per token), or `off`.
        #[arg(long, value_name = "N|off", default_value = "300", value_parser = parse_rate_limit)]
        rate_limit: RateLimit,
    },
    /// Export a related list of a published profile as CSV.
    Export {
        /// The profile's id or Display Name.
        profile: String,
        /// The list.
        #[arg(value_enum)]
        list: ListChoice,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy)]
struct RateLimit(Option<NonZeroU32>);

fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(RateLimit(None));
    }
    s.parse::<NonZeroU32>()
        .map(|n| RateLimit(Some(n)))
        .map_err(|_| "expected a number of requests per minute (at least 1) or `off`".to_owned())
}

fn main() -> ExitCode {
    // The database, its WAL and any file written here hold the organization's users and activity.
    seatkeeper_core::private_files::restrict_new_files();
    let cli = Cli::parse(); // usage errors: clap prints them and exits with 2
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(CliError::new(EXIT_FAILED, format!("could not start ({e})."))),
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => fail(e),
    }
}

fn fail(e: CliError) -> ExitCode {
    eprintln!("seatkeeper: {}", e.message);
    ExitCode::from(e.exit)
}

/// Logs only when asked (`SEATKEEPER_LOG=info`, …), on stderr, so that cron mails stay short.
fn init_logging() {
    let filter = std::env::var("SEATKEEPER_LOG").unwrap_or_else(|_| "off".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

async fn dispatch(cli: Cli) -> CliResult<u8> {
    let path = match cli.db {
        Some(path) => path,
        None => seatkeeper_cli::default_db_path().ok_or_else(|| {
            CliError::new(
                EXIT_NOT_FOUND,
                "could not find the data directory (is HOME set?); name the database with --db.",
            )
        })?,
    };
    let db = seatkeeper_cli::open_db(&path).await?;
    let secrets = KeyringStore::new(APP_IDENTIFIER);
    let code = match cli.command {
        Command::Profiles => {
            print!("{}", seatkeeper_cli::profile_table(&db).await?);
            EXIT_OK
        }
        Command::Validate { profile } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            if seatkeeper_cli::validate(&db, &secrets, &profile).await? {
                EXIT_OK
            } else {
                EXIT_FAILED
            }
        }
        Command::Run { profile, job, json, rate_limit } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            seatkeeper_cli::ensure_published(&profile)?;
            let client = seatkeeper_cli::client(&db, &secrets, &profile, rate_limit.0).await?;
            let mut failed = false;
            let mut on_result = |r: &seatkeeper_core::jobs::JobResult| -> CliResult<()> {
                failed |= r.status != JobStatus::Succeeded;
                let mut out = std::io::stdout().lock();
                if json {
                    let line = serde_json::to_string(r)
                        .map_err(|e| CliError::new(EXIT_FAILED, format!("could not write JSON ({e}).")))?;
                    writeln!(out, "{line}")?;
                } else {
                    let name =
                        profile.jobs.iter().find(|j| j.id == r.job_id).map_or("job", |j| j.name.as_str());
                    writeln!(out, "{}", seatkeeper_cli::summary(name, r))?;
                }
                out.flush()?;
                Ok(())
            };
            let mode = ProgressMode::detect(json);
            let cancel = seatkeeper_cli::cancel_on_ctrl_c();
            seatkeeper_cli::run_jobs(&db, &client, &profile, job, mode, &cancel, &mut on_result).await?;
            if failed {
                EXIT_FAILED
            } else {
                EXIT_OK
            }
        }
        Command::Export { profile, list, out } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            seatkeeper_cli::ensure_published(&profile)?;
            match out {
                Some(file) => {
                    let f = File::create(&file).map_err(|e| {
                        CliError::new(EXIT_FAILED, format!("could not create {} ({e}).", file.display()))
                    })?;
                    seatkeeper_cli::export(&db, &profile, list, BufWriter::new(f)).await?;
                }
                None => {
                    seatkeeper_cli::export(&db, &profile, list, std::io::stdout().lock()).await?;
                }
            }
            EXIT_OK
        }
    };
    db.close().await;
    Ok(code)
}
