//! `seatkeeper`: Seatkeeper without a window, for cron. See the crate's library for what each
//! command does and the exit codes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use seatkeeper_cli::reclamation::{self, CandidateQuery, JustificationChoice, Selection, StateChoice};
use seatkeeper_cli::reconciliation::{self, NewEntitlement};
use seatkeeper_cli::{
    CliError, CliResult, JobChoice, ListChoice, ProgressMode, APP_IDENTIFIER, EXIT_FAILED, EXIT_NOT_FOUND,
    EXIT_OK, EXIT_USAGE,
};
use seatkeeper_core::jobs::JobStatus;
use seatkeeper_core::reclaim::{os_user, AuditOutcome};
use seatkeeper_core::{KeyringStore, SystemClock};

/// Seatkeeper from the command line: the app's database and keychain, no window.
///
/// Exit codes: 0 success; 1 a job or the validation failed (or a run was cancelled with Ctrl-C; a
/// second Ctrl-C stops at once with 130), a reclaimed candidate needs attention, Smartsheet refused
/// an undo, or Seatkeeper refused the request (a closed candidate, a record that cannot be undone,
/// a reclaim already running); 2 usage error (also: a write asked for without --yes); 3 profile,
/// candidate or audit record not found, or profile not published (or no database); 4 system
/// keychain unavailable or the API key missing from it.
#[derive(Debug, Parser)]
#[command(name = "seatkeeper", version, about, long_about = None, after_help = EXIT_CODES)]
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
    /// List a profile's removal candidates: paid seats that look unused.
    ///
    /// Shows the open candidates by default (most inactive first); --state chooses others. Reads
    /// only Seatkeeper's database: refresh the profile (`seatkeeper run`) for current candidates.
    #[command(after_help = CANDIDATES_HELP)]
    Candidates {
        /// The profile's id or Display Name.
        profile: String,
        /// Only candidates in this state (repeatable) [default: open, every open state].
        #[arg(long = "state", value_enum, value_name = "STATE")]
        states: Vec<StateChoice>,
        /// Only this software model (its id or name).
        #[arg(long, value_name = "ID|NAME")]
        model: Option<String>,
        /// Only candidates inactive for at least this many days.
        #[arg(long, value_name = "DAYS")]
        min_inactive_days: Option<u32>,
        /// Only this justification.
        #[arg(long, value_enum)]
        justification: Option<JustificationChoice>,
        /// Only users whose e-mail address or name contains TEXT (any case).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Print a JSON array of candidates instead of a table.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (safe to open in a spreadsheet) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Reclaim removal candidates' seats: review with --dry-run, then confirm with --yes.
    ///
    /// --dry-run shows who is affected, each seat before → after, what else changes, refusals and
    /// the savings, and writes nothing (with no selection: every Ready candidate). With --yes the
    /// candidates are confirmed as the operating-system user (Ready → Awaiting Revocation, all or
    /// nothing) and the profile's reclaim job writes the seats to Smartsheet, re-checking each
    /// user's activity just before. Without --yes nothing is written (exit 2). The job also takes
    /// candidates confirmed earlier and still Awaiting Revocation; --resume runs it for those only
    /// (after a crash, a kill or a Ctrl-C), confirming nothing new. Exit 1 when the run failed or a
    /// candidate ended Attention Required.
    #[command(after_help = RECLAIM_HELP)]
    Reclaim {
        /// The profile's id or Display Name.
        profile: String,
        /// A candidate to reclaim, by id (repeatable, or comma-separated).
        #[arg(long = "candidate", value_name = "ID", value_delimiter = ',')]
        candidates: Vec<i64>,
        /// Every candidate of the profile that is Ready now.
        #[arg(long, conflicts_with = "candidates")]
        all_ready: bool,
        /// Run the reclaim job for the candidates already Awaiting Revocation; confirm nothing new.
        #[arg(long, conflicts_with_all = ["candidates", "all_ready", "dry_run"])]
        resume: bool,
        /// Show what the reclaim would do, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Confirm the reclaim (required to write anything).
        #[arg(long)]
        yes: bool,
        /// Print JSON: the dry run, or the confirmation, the job's result and each candidate as it ended.
        #[arg(long)]
        json: bool,
        /// Requests per minute this run allows itself (Smartsheet allows 300 per token), or `off`.
        #[arg(long, value_name = "N|off", default_value = "300", value_parser = parse_rate_limit)]
        rate_limit: RateLimit,
    },
    /// Skip removal candidates (→ Closed Skipped): they keep their seat.
    #[command(after_help = SKIP_HELP)]
    Skip {
        /// The profile's id or Display Name.
        profile: String,
        /// A candidate to skip, by id (repeatable, or comma-separated).
        #[arg(long = "candidate", value_name = "ID", value_delimiter = ',', required = true)]
        candidates: Vec<i64>,
        /// Why these seats are kept (kept with the candidates).
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Print a JSON object instead of a sentence.
        #[arg(long)]
        json: bool,
    },
    /// The audit log of a profile: every write Seatkeeper made to Smartsheet, newest first.
    #[command(after_help = AUDIT_HELP)]
    Audit {
        /// The profile's id or Display Name.
        profile: String,
        /// Only records whose user's e-mail or name, or who confirmed, contains TEXT.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Print a JSON array of records instead of a table.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (safe to open in a spreadsheet) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Undo one audit record: give back the seat a reclaim took (audited itself).
    ///
    /// Needs --yes (confirmed as the operating-system user). Refused, with the reason and nothing
    /// written, when the record cannot be undone (exit 1) or does not exist (exit 3). Exit 1 also
    /// when Smartsheet refused the undo; its record says why.
    #[command(after_help = UNDO_HELP)]
    Undo {
        /// The audit record's id (`seatkeeper audit <profile>` lists them).
        audit_id: i64,
        /// Confirm the undo (required to write anything).
        #[arg(long)]
        yes: bool,
        /// Print the undo's own audit record as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reconcile a profile now: rights owned vs subscriptions used per software model, compliance,
    /// true-up cost and savings (money per year). The run is kept, as the app's Reconcile now.
    #[command(after_help = RECONCILE_HELP)]
    Reconcile {
        /// The profile's id or Display Name.
        profile: String,
        /// Print a JSON array, one object per model, instead of a table.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (safe to open in a spreadsheet) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// List a profile's software entitlements, add one, or remove some.
    #[command(after_help = ENTITLEMENTS_HELP)]
    Entitlements {
        /// The profile's id or Display Name.
        profile: String,
        #[command(subcommand)]
        action: Option<EntitlementAction>,
        /// Print JSON instead of a table.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Debug, Subcommand)]
enum EntitlementAction {
    /// Add an entitlement to a software model (refused, with the reason, if a value is wrong).
    Add {
        /// The software model: its id, name or subscription identifier (MEMBER, Licensed).
        #[arg(long, value_name = "ID|NAME")]
        model: String,
        /// Purchased rights (seats).
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        rights: i64,
        /// Unit cost per seat and billing period, e.g. 25.00.
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        unit_cost: String,
        /// ISO 4217 currency code.
        #[arg(long, default_value = "USD")]
        currency: String,
        /// How many of the model's currency one unit of --currency is worth, when they differ.
        #[arg(long, value_name = "RATE")]
        rate: Option<String>,
        /// Billed annually (the unit cost is per year) instead of monthly.
        #[arg(long)]
        annual: bool,
        /// Term start, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        start: String,
        /// Term end, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        end: String,
        /// Display name [default: "<rights> seats from <start>"].
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
        /// Notes kept with the entitlement.
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
    },
    /// Remove entitlements by id (all or none).
    Remove {
        /// Entitlement ids (`seatkeeper entitlements <profile>` lists them).
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

const RECONCILE_HELP: &str = "Examples:
  seatkeeper reconcile \"Acme Corp\"
  seatkeeper reconcile 1 --json
  seatkeeper reconcile 1 --csv > reconciliation.csv

JSON: one object per model with model, owned, used, excluded, active, inactive, compliance
(\"Compliant\" or \"Not Compliant\"), over_licensed, rights_needed, open_candidates, reclaimed,
unit_cost_per_month, true_up_cost, potential_savings, actual_savings (per year) and currency.";

const ENTITLEMENTS_HELP: &str = "Examples:
  seatkeeper entitlements \"Acme Corp\"
  seatkeeper entitlements 1 add --model MEMBER --rights 120 --unit-cost 25.00 --start 2026-01-01 --end 2026-12-31
  seatkeeper entitlements 1 add --model MEMBER --rights 10 --unit-cost 240 --currency EUR --rate 1.08 --annual \\
      --start 2026-07-01 --end 2027-06-30
  seatkeeper entitlements 1 remove 4 5

Exit codes: 0 done; 1 a value was refused (nothing saved); 3 profile, model or entitlement not found.";

const EXIT_CODES: &str =
    "Exit codes: 0 success; 1 failed (a job, a validation, a candidate needing attention, \
an undo Smartsheet refused, or a request Seatkeeper refused); 2 usage error or a write without --yes; \
3 not found (profile, candidate, audit record, database) or profile not published; 4 keychain \
unavailable or API key missing.";

const CANDIDATES_HELP: &str = "Examples:
  seatkeeper candidates \"Acme Corp\"
  seatkeeper candidates 1 --state ready --min-inactive-days 90 --model MEMBER
  seatkeeper candidates 1 --state all --json
  seatkeeper candidates 1 --csv > candidates.csv";

const RECLAIM_HELP: &str = "Examples:
  seatkeeper reclaim \"Acme Corp\" --dry-run                  # every Ready candidate, nothing written
  seatkeeper reclaim 1 --dry-run --candidate 12 --candidate 15
  seatkeeper reclaim 1 --candidate 12 --candidate 15 --yes
  seatkeeper reclaim 1 --all-ready --yes --json
  seatkeeper reclaim 1 --resume                               # after a crash or a kill

Exit codes: 0 done; 1 the run failed or was cancelled, a candidate needs attention, or Seatkeeper \
refused the confirmation (nothing written); 2 usage, or no --yes (nothing written); 3 profile or \
candidate not found, or profile a Draft; 4 keychain.";

const SKIP_HELP: &str = "Example:
  seatkeeper skip \"Acme Corp\" --candidate 12 --candidate 15 --reason \"needed for the Q3 audit\"

Exit codes: 0 skipped; 1 refused (a closed candidate; none skipped); 2 usage (no --reason); 3 not found.";

const AUDIT_HELP: &str = "Examples:
  seatkeeper audit \"Acme Corp\"
  seatkeeper audit 1 --search alice --json
  seatkeeper audit 1 --csv > audit.csv";

const UNDO_HELP: &str = "Example:
  seatkeeper undo 17 --yes

Exit codes: 0 undone; 1 Smartsheet refused it, or it cannot be undone (nothing written); 2 no --yes \
(nothing written); 3 no such audit record; 4 keychain.";

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

/// What the command line alone refuses, before the database is opened.
fn check_usage(command: &Command) -> CliResult<()> {
    if let Command::Reclaim { profile, candidates, all_ready, resume, dry_run, yes, .. } = command {
        if *dry_run || *resume {
            return Ok(());
        }
        if candidates.is_empty() && !all_ready {
            return Err(CliError::new(
                EXIT_USAGE,
                "say which candidates to reclaim: --candidate ID (repeatable) or --all-ready; review them first with \
                 --dry-run. --resume finishes candidates confirmed earlier. Nothing was written.",
            ));
        }
        if !yes {
            let selection = if *all_ready { "--all-ready" } else { "--candidate …" };
            return Err(CliError::new(
                EXIT_USAGE,
                format!(
                    "reclaiming writes to Smartsheet, so it needs --yes. Review what it would do with \
                     `seatkeeper reclaim {} --dry-run {selection}`, then run it again with --yes. Nothing was written.",
                    shell_word(profile)
                ),
            ));
        }
    }
    Ok(())
}

/// `word` as one shell word (quoted when needed), for commands suggested in messages.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn json_line(value: &impl serde::Serialize) -> CliResult<()> {
    let line = serde_json::to_string(value)
        .map_err(|e| CliError::new(EXIT_FAILED, format!("could not write JSON ({e}).")))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn print_text(text: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

async fn dispatch(cli: Cli) -> CliResult<u8> {
    check_usage(&cli.command)?;
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
                    seatkeeper_cli::export(
                        &db,
                        &seatkeeper_core::SystemClock,
                        &profile,
                        list,
                        BufWriter::new(f),
                    )
                    .await?;
                }
                None => {
                    seatkeeper_cli::export(
                        &db,
                        &seatkeeper_core::SystemClock,
                        &profile,
                        list,
                        std::io::stdout().lock(),
                    )
                    .await?;
                }
            }
            EXIT_OK
        }
        Command::Candidates {
            profile,
            states,
            model,
            min_inactive_days,
            justification,
            search,
            json,
            csv,
        } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            let query = CandidateQuery { states, model, min_inactive_days, justification, search };
            let filter = reclamation::candidate_filter(&db, &profile, &query).await?;
            let rows = reclamation::list_all_candidates(&db, &SystemClock, &filter).await?;
            if json {
                json_line(&rows)?;
            } else if csv {
                reclamation::write_candidates_csv(&rows, std::io::stdout().lock())?;
            } else {
                print_text(&reclamation::candidate_table(&rows))?;
            }
            EXIT_OK
        }
        Command::Reclaim { profile, candidates, all_ready, resume, dry_run, json, rate_limit, .. } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            let selection = if !candidates.is_empty() {
                Some(Selection::Candidates(candidates))
            } else if all_ready || (dry_run && !resume) {
                Some(Selection::AllReady)
            } else {
                None
            };
            if dry_run {
                let selection = selection.unwrap_or(Selection::AllReady);
                let preview = reclamation::dry_run(&db, &SystemClock, &profile, &selection).await?;
                if json {
                    json_line(&preview)?;
                } else {
                    print_text(&reclamation::dry_run_text(&preview, &selection))?;
                }
                EXIT_OK
            } else {
                reclamation::ensure_reclaimable(&profile)?;
                // The key first: a confirmation is never left without a run for want of it.
                let client = seatkeeper_cli::client(&db, &secrets, &profile, rate_limit.0).await?;
                let cancel = seatkeeper_cli::cancel_on_ctrl_c_saying(
                    "Cancelling after the seat in progress; the candidates not reached go back to Ready… \
                     (Ctrl-C again to stop at once; `seatkeeper reclaim --resume` then settles the seat in progress)",
                );
                let run = reclamation::reclaim_and_run(
                    &db,
                    &client,
                    &profile,
                    selection.as_ref(),
                    &os_user(),
                    ProgressMode::detect(json),
                    &cancel,
                )
                .await?;
                if json {
                    json_line(&run)?;
                } else {
                    print_text(&reclamation::reclaim_text(&run))?;
                }
                if run.failed() {
                    EXIT_FAILED
                } else {
                    EXIT_OK
                }
            }
        }
        Command::Skip { profile, candidates, reason, json } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            let skipped = reclamation::skip(&db, &profile, &candidates, &reason).await?;
            if json {
                json_line(&skipped)?;
            } else {
                print_text(&format!(
                    "Skipped {} candidate{} of “{}” (now Closed Skipped; the seats are kept): {}\n",
                    skipped.skipped,
                    if skipped.skipped == 1 { "" } else { "s" },
                    profile.display_name,
                    skipped.reason
                ))?;
            }
            EXIT_OK
        }
        Command::Audit { profile, search, json, csv } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            let rows = reclamation::all_audit(&db, &profile, search.as_deref().unwrap_or_default()).await?;
            if json {
                json_line(&rows)?;
            } else if csv {
                reclamation::write_audit_csv(&rows, std::io::stdout().lock())?;
            } else {
                print_text(&reclamation::audit_table(&rows))?;
            }
            EXIT_OK
        }
        Command::Reconcile { profile, json, csv } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            let run = reconciliation::run(&db, &profile).await?;
            if json {
                json_line(&reconciliation::figures(&run))?;
            } else if csv {
                reconciliation::write_figures_csv(&run, std::io::stdout().lock())?;
            } else {
                print_text(&reconciliation::figures_table(&profile, &run))?;
            }
            EXIT_OK
        }
        Command::Entitlements { profile, action, json, csv } => {
            let profile = seatkeeper_cli::find_profile(&db, &profile).await?;
            match action {
                None => {
                    let list = reconciliation::list(&db, &profile).await?;
                    if json {
                        json_line(&reconciliation::entitlement_rows(&list))?;
                    } else if csv {
                        reconciliation::write_entitlements_csv(&list, std::io::stdout().lock())?;
                    } else {
                        print_text(&reconciliation::entitlement_table(&list))?;
                    }
                }
                Some(EntitlementAction::Add {
                    model,
                    rights,
                    unit_cost,
                    currency,
                    rate,
                    annual,
                    start,
                    end,
                    name,
                    notes,
                }) => {
                    let new = NewEntitlement {
                        model,
                        display_name: name,
                        rights,
                        unit_cost,
                        currency,
                        rate,
                        annual,
                        start,
                        end,
                        notes,
                    };
                    let added = reconciliation::add(&db, &profile, new).await?;
                    if json {
                        json_line(&reconciliation::entitlement_rows(std::slice::from_ref(&added)))?;
                    } else {
                        print_text(&format!(
                            "Added entitlement {} to {}: {} rights.\n",
                            added.id, added.model_name, added.purchased_rights
                        ))?;
                    }
                }
                Some(EntitlementAction::Remove { ids }) => {
                    let removed = reconciliation::remove(&db, &profile, &ids).await?;
                    if json {
                        json_line(&serde_json::json!({ "removed": removed }))?;
                    } else {
                        print_text(&format!(
                            "Removed {removed} entitlement{}.\n",
                            if removed == 1 { "" } else { "s" }
                        ))?;
                    }
                }
            }
            EXIT_OK
        }
        Command::Undo { audit_id, yes, json } => {
            let record = reclamation::undoable(&db, audit_id).await?;
            if !yes {
                return Err(CliError::new(
                    EXIT_USAGE,
                    format!(
                        "{} Undo writes to Smartsheet, so it needs --yes: `seatkeeper undo {audit_id} --yes`. Nothing \
                         was written.",
                        reclamation::undo_plan(&record)
                    ),
                ));
            }
            let undo = reclamation::undo(&db, &secrets, audit_id, &os_user()).await?;
            if json {
                json_line(&undo)?;
            } else {
                print_text(&reclamation::audit_text(&undo))?;
            }
            if undo.outcome.is_some_and(AuditOutcome::changed_the_seat) {
                EXIT_OK
            } else {
                EXIT_FAILED
            }
        }
    };
    db.close().await;
    Ok(code)
}
