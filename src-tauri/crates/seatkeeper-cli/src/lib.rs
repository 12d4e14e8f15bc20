//! `seatkeeper`, the headless command line: the same core, database and keychain as the app, for
//! admins who schedule refreshes from cron. `main.rs` parses the command line; this library holds
//! what the commands do, so that the benchmark driver (`examples/bench_sync.rs`) runs exactly the
//! same sync path as `seatkeeper run`.
//!
//! Exit codes: [`EXIT_OK`] 0, [`EXIT_FAILED`] 1 (a job or the validation failed; a reclaim with a
//! candidate needing attention; an undo Smartsheet refused; a request the data refuses, such as a
//! closed candidate or a record that cannot be undone), [`EXIT_USAGE`] 2 (usage: clap's, or a write
//! asked for without `--yes`), [`EXIT_NOT_FOUND`] 3 (no such profile, candidate or audit record, or
//! not published), [`EXIT_KEYCHAIN`] 4 (keychain unavailable or the key missing from it).
//!
//! The reclamation verbs (`candidates`, `reclaim`, `skip`, `audit`, `undo`) are in [`reclamation`].

pub mod reclamation;
pub mod reconciliation;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seatkeeper_core::connections::{client_for, ClientOptions};
use seatkeeper_core::export::spreadsheet_text;
use seatkeeper_core::jobs::{self, JobKind, JobResult, JobStatus, RunContext};
use seatkeeper_core::profiles::{Profile, ProfileStatus};
use seatkeeper_core::smartsheet::SmartsheetClient;
use seatkeeper_core::sync::{self, SyncOptions, SyncPhase, SyncProgress};
use seatkeeper_core::{services, Clock, Db, Error, SecretStore, SystemClock};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

/// The Tauri identifier of the app: its data directory and keychain service are named after it.
pub const APP_IDENTIFIER: &str = "com.seatkeeper.app";
/// The database file in the app's data directory.
pub const DB_FILE: &str = "seatkeeper.db";

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_NOT_FOUND: u8 = 3;
pub const EXIT_KEYCHAIN: u8 = 4;

/// A command's failure: the exit code and one admin-readable line.
#[derive(Debug)]
pub struct CliError {
    pub exit: u8,
    pub message: String,
}

impl CliError {
    pub fn new(exit: u8, message: impl Into<String>) -> Self {
        Self { exit, message: message.into() }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        let exit = match &e {
            Error::NotFound(_) => EXIT_NOT_FOUND,
            Error::KeychainUnavailable(_) | Error::Keychain(_) | Error::KeyMissing(_) => EXIT_KEYCHAIN,
            _ => EXIT_FAILED,
        };
        // Core messages are written for admins; keep them on one line.
        Self::new(exit, one_line(&e.to_string()))
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::new(EXIT_FAILED, format!("could not write the output ({e})."))
    }
}

impl From<csv::Error> for CliError {
    fn from(e: csv::Error) -> Self {
        Self::new(EXIT_FAILED, format!("could not write the CSV ({e})."))
    }
}

pub type CliResult<T> = Result<T, CliError>;

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The app's database: `<data dir>/com.seatkeeper.app/seatkeeper.db`, as Tauri's `app_data_dir`
/// (on Linux `$XDG_DATA_HOME`, default `~/.local/share`).
pub fn default_db_path() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER).join(DB_FILE))
}

/// Opens the database (migrating it as the app does). A missing file is an error: the CLI never
/// creates an empty database in place of the app's.
pub async fn open_db(path: &Path) -> CliResult<Db> {
    if !path.exists() {
        return Err(CliError::new(
            EXIT_NOT_FOUND,
            format!(
                "there is no Seatkeeper database at {}. Create and publish a profile in the Seatkeeper app \
                 first, or name the database with --db.",
                path.display()
            ),
        ));
    }
    Ok(Db::open(path).await?)
}

/// A profile by id or by Display Name (ignoring case).
pub async fn find_profile(db: &Db, spec: &str) -> CliResult<Profile> {
    let profiles = services::list_profiles(db).await?;
    let spec_trim = spec.trim();
    if let Ok(id) = spec_trim.parse::<i64>() {
        if let Some(p) = profiles.iter().find(|p| p.id == id) {
            return Ok(p.clone());
        }
    }
    let matches: Vec<&Profile> =
        profiles.iter().filter(|p| p.display_name.to_lowercase() == spec_trim.to_lowercase()).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(CliError::new(
            EXIT_NOT_FOUND,
            format!(
                "no profile “{spec_trim}” (by id or Display Name). `seatkeeper profiles` lists them{}.",
                if profiles.is_empty() { "; there are none yet" } else { "" }
            ),
        )),
        _ => Err(CliError::new(
            EXIT_NOT_FOUND,
            format!("several profiles are named “{spec_trim}”; name the profile by its id (`seatkeeper profiles`)."),
        )),
    }
}

/// Refuses a profile that is not published (its jobs only exist once published).
pub fn ensure_published(profile: &Profile) -> CliResult<()> {
    if profile.status == ProfileStatus::Published {
        Ok(())
    } else {
        Err(CliError::new(
            EXIT_NOT_FOUND,
            format!(
                "the profile “{}” is a Draft, so it has no jobs to run or lists to export. Validate and publish it \
                 in Seatkeeper first.",
                profile.display_name
            ),
        ))
    }
}

/// The Smartsheet client of the profile's connection, as the app's jobs use it (the one route from a
/// stored key to Smartsheet: it checks where the key may go before reading it from the keychain).
/// `rate_limit_per_minute` is the client's own limit (Smartsheet allows 300 requests per minute per
/// token); `None` turns it off.
pub async fn client(
    db: &Db,
    secrets: &dyn SecretStore,
    profile: &Profile,
    rate_limit_per_minute: Option<NonZeroU32>,
) -> CliResult<SmartsheetClient> {
    let options = ClientOptions { rate_limit_per_minute, ..ClientOptions::jobs() };
    Ok(client_for(db, secrets, profile.id, &options).await?)
}

/// Which jobs `run` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JobChoice {
    Subscriptions,
    Events,
    /// Subscriptions, then events (if the profile downloads activity).
    All,
}

/// How progress is shown while a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// An indicatif bar on stderr (a terminal).
    Bar,
    /// Plain lines on stderr at phase changes and every few seconds (cron logs).
    Lines,
    /// Nothing.
    Quiet,
}

impl ProgressMode {
    /// A bar when stderr is a terminal, otherwise lines (or nothing, when `quiet`).
    pub fn detect(quiet: bool) -> Self {
        if std::io::stderr().is_terminal() {
            Self::Bar
        } else if quiet {
            Self::Quiet
        } else {
            Self::Lines
        }
    }
}

/// Shows one job's progress.
pub(crate) struct Reporter {
    job: String,
    mode: ProgressMode,
    bar: Option<ProgressBar>,
    lines: Mutex<(Option<SyncPhase>, Instant)>,
}

impl Reporter {
    pub(crate) fn new(job: String, mode: ProgressMode) -> Self {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]").expect("template"),
            );
            bar.set_prefix(job.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { job, mode, bar, lines: Mutex::new((None, Instant::now())) }
    }

    fn describe(p: &SyncProgress) -> String {
        match p.phase {
            SyncPhase::DetectingPlan => "finding the plan".into(),
            SyncPhase::Users => match p.pages_total {
                Some(total) => format!("users: page {}/{total}, {} users read", p.pages_done, p.users_read),
                None => format!("users: page {}, {} users read", p.pages_done, p.users_read),
            },
            SyncPhase::Closing => {
                format!("closing subscriptions of departed users ({} users read)", p.users_read)
            }
            SyncPhase::Events => format!("events: {} pages, {} events read", p.pages_done, p.events_read),
            SyncPhase::LastLogin => "taking last activity from last-login dates (no Event Reporting)".into(),
            SyncPhase::Reclaiming if p.candidates_total == 0 => {
                "reclaiming: checking the key's admin rights and settling earlier runs".into()
            }
            SyncPhase::Reclaiming => {
                format!("reclaiming: {}/{} candidates settled", p.candidates_done, p.candidates_total)
            }
            SyncPhase::Done => "done".into(),
        }
    }

    pub(crate) fn update(&self, p: SyncProgress) {
        match self.mode {
            ProgressMode::Quiet => {}
            ProgressMode::Bar => {
                let Some(bar) = &self.bar else { return };
                if let (SyncPhase::Users, Some(total)) = (p.phase, p.pages_total) {
                    if bar.length() != Some(total) {
                        bar.set_length(total);
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{prefix} [{bar:30}] {pos}/{len} pages {msg} [{elapsed}, eta {eta}]",
                            )
                            .expect("template")
                            .progress_chars("=> "),
                        );
                    }
                    bar.set_position(p.pages_done);
                } else if p.phase == SyncPhase::Reclaiming && p.candidates_total > 0 {
                    if bar.length() != Some(p.candidates_total) {
                        bar.set_length(p.candidates_total);
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{prefix} [{bar:30}] {pos}/{len} candidates [{elapsed}, eta {eta}]",
                            )
                            .expect("template")
                            .progress_chars("=> "),
                        );
                    }
                    bar.set_position(p.candidates_done);
                } else if p.phase != SyncPhase::Users && bar.length().is_some() {
                    bar.unset_length();
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]")
                            .expect("template"),
                    );
                }
                bar.set_message(Self::describe(&p));
            }
            ProgressMode::Lines => {
                let mut last = self.lines.lock().expect("progress lock");
                let changed = last.0 != Some(p.phase);
                if changed || last.1.elapsed() >= Duration::from_secs(5) {
                    *last = (Some(p.phase), Instant::now());
                    eprintln!("{}: {}", self.job, Self::describe(&p));
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs the chosen jobs of a published profile, in order (subscriptions, then events), and
/// returns their results. A job that fails is a `failed` result, not an `Err`; `Err` is for what
/// prevents a job from starting or being recorded. `on_result` is called as each job finishes.
pub async fn run_jobs(
    db: &Db,
    client: &SmartsheetClient,
    profile: &Profile,
    choice: JobChoice,
    mode: ProgressMode,
    cancel: &CancellationToken,
    on_result: &mut dyn FnMut(&JobResult) -> CliResult<()>,
) -> CliResult<Vec<JobResult>> {
    let has = |kind: JobKind| profile.jobs.iter().any(|j| j.kind == kind);
    let kinds: Vec<JobKind> = match choice {
        JobChoice::Subscriptions => vec![JobKind::Subscriptions],
        JobChoice::Events => vec![JobKind::Events],
        JobChoice::All => [JobKind::Subscriptions, JobKind::Events].into_iter().filter(|k| has(*k)).collect(),
    };
    let clock = SystemClock;
    let options = SyncOptions::default();
    let mut results = Vec::new();
    for kind in kinds {
        // Cancelled during an earlier job: the later ones do not start.
        if cancel.is_cancelled() {
            break;
        }
        let reporter = Reporter::new(kind.job_name(&profile.display_name), mode);
        let progress = |p: SyncProgress| reporter.update(p);
        let context = RunContext {
            db,
            client,
            profile_id: profile.id,
            clock: &clock,
            options: &options,
            progress: &progress,
            cancel,
        };
        let result = jobs::run(kind, context).await;
        reporter.finish();
        let result = result?;
        on_result(&result)?;
        results.push(result);
    }
    Ok(results)
}

/// A token that fires on the first Ctrl-C (the running job stops reading, saves what it read and
/// is recorded as cancelled); a second Ctrl-C ends the process at once (exit code 130).
pub fn cancel_on_ctrl_c() -> CancellationToken {
    cancel_on_ctrl_c_saying("Cancelling: saving what was read… (Ctrl-C again to stop at once)")
}

/// [`cancel_on_ctrl_c`], saying `message` on the first Ctrl-C.
pub fn cancel_on_ctrl_c_saying(message: &'static str) -> CancellationToken {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("{message}");
        token.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    cancel
}

/// One line about a finished job, for people.
pub fn summary(job_name: &str, r: &JobResult) -> String {
    let took = r
        .finished_at
        .map(|f| format!(" in {:.1} s", (f - r.started_at).num_milliseconds() as f64 / 1000.0))
        .unwrap_or_default();
    let mut line = format!("{job_name} #{}: {}{took}", r.number, status_word(r.status));
    let _ = write!(
        line,
        " — {} users read, {} subscriptions created, {} updated, {} closed, {} events read, {} requests ({} retries)",
        r.users_read,
        r.subscriptions_created,
        r.subscriptions_updated,
        r.subscriptions_closed,
        r.events_read,
        r.requests,
        r.retries
    );
    if r.warnings > 0 {
        let _ = write!(line, ", {} warnings", r.warnings);
    }
    if let Some(e) = &r.error_message {
        let _ = write!(line, ": {}", one_line(e));
    }
    line
}

pub fn status_word(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Running => "running",
        JobStatus::Succeeded => "succeeded",
        JobStatus::Failed => "failed",
        JobStatus::Cancelled => "cancelled",
    }
}

/// Validates the profile's connection (read-only against Smartsheet) and stores the result, as
/// the app's Validate Connection does.
pub async fn validate(db: &Db, secrets: &dyn SecretStore, profile: &Profile) -> CliResult<bool> {
    let result =
        services::validate_connection(db, secrets, &SystemClock, profile.id, &ClientOptions::default())
            .await?;
    println!("{}", one_line(&result.message));
    Ok(result.ok)
}

/// The lists `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListChoice {
    Subscriptions,
    Models,
    Unrecognized,
    JobResults,
}

/// A job result with the job's name, for the CSV.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JobResultRow<'a> {
    job: &'a str,
    number: i64,
    started_at: chrono::DateTime<chrono::Utc>,
    finished_at: Option<chrono::DateTime<chrono::Utc>>,
    status: JobStatus,
    users_read: i64,
    subscriptions_created: i64,
    subscriptions_updated: i64,
    subscriptions_closed: i64,
    events_read: i64,
    requests: i64,
    retries: i64,
    warnings: i64,
    warning_text: Option<&'a str>,
    error_message: Option<&'a str>,
}

/// Writes a related list of the profile as CSV: a header row (also for an empty list), then one
/// row per item, columns named as in `--json` and the UI (camelCase).
/// The subscriptions' inactive days are counted to `clock`'s now.
pub async fn export(
    db: &Db,
    clock: &dyn Clock,
    profile: &Profile,
    list: ListChoice,
    out: impl Write,
) -> CliResult<usize> {
    let mut w = csv::Writer::from_writer(out);
    let rows = match list {
        ListChoice::Subscriptions => {
            write_all(&mut w, SUBSCRIPTION_HEADER, &sync::list_subscriptions(db, clock, profile.id).await?)?
        }
        ListChoice::Models => write_all(&mut w, MODEL_HEADER, &sync::list_models(db, profile.id).await?)?,
        ListChoice::Unrecognized => write_all(
            &mut w,
            UNRECOGNIZED_HEADER,
            &sync::list_unrecognized_identifiers(db, profile.id).await?,
        )?,
        ListChoice::JobResults => {
            let mut all = Vec::new();
            for job in &profile.jobs {
                all.extend(
                    jobs::list_job_results(db, job.id).await?.into_iter().map(|r| (job.name.clone(), r)),
                );
            }
            let rows: Vec<JobResultRow<'_>> = all
                .iter()
                .map(|(job, r)| JobResultRow {
                    job,
                    number: r.number,
                    started_at: r.started_at,
                    finished_at: r.finished_at,
                    status: r.status,
                    users_read: r.users_read,
                    subscriptions_created: r.subscriptions_created,
                    subscriptions_updated: r.subscriptions_updated,
                    subscriptions_closed: r.subscriptions_closed,
                    events_read: r.events_read,
                    requests: r.requests,
                    retries: r.retries,
                    warnings: r.warnings,
                    warning_text: r.warning_text.as_deref(),
                    error_message: r.error_message.as_deref(),
                })
                .collect();
            write_all(&mut w, JOB_RESULT_HEADER, &rows)?
        }
    };
    w.flush()?;
    Ok(rows)
}

/// Writes `header`, then one record per item: its fields (serialized as in `--json`) in the
/// header's order. Text is written so that a spreadsheet shows it, never runs it
/// ([`spreadsheet_text`]): any user of the organization can set their own name to `=HYPERLINK(…)`.
pub(crate) fn write_all<W: Write, T: Serialize>(
    w: &mut csv::Writer<W>,
    header: &[&str],
    items: &[T],
) -> CliResult<usize> {
    w.write_record(header)?;
    for item in items {
        let value = serde_json::to_value(item)
            .map_err(|e| CliError::new(EXIT_FAILED, format!("could not write the CSV ({e}).")))?;
        let fields = value.as_object().map(|o| o.len()).unwrap_or_default();
        if fields != header.len() {
            return Err(CliError::new(
                EXIT_FAILED,
                format!("could not write the CSV (a row has {fields} fields for {} columns).", header.len()),
            ));
        }
        w.write_record(header.iter().map(|name| cell(&value[*name])))?;
    }
    Ok(items.len())
}

/// A field as a CSV cell: text made spreadsheet-safe, numbers and booleans as they are.
fn cell(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(text) => spreadsheet_text(text).into_owned(),
        other => spreadsheet_text(&other.to_string()).into_owned(),
    }
}

/// The CSV headers: every field of the list's items, in the order they are written.
pub const SUBSCRIPTION_HEADER: &[&str] = &[
    "id",
    "profileId",
    "userId",
    "email",
    "name",
    "identifier",
    "modelId",
    "modelName",
    "status",
    "isInternal",
    "isAdmin",
    "seatChangedAt",
    "provisionalExpiresAt",
    "lastLogin",
    "lastActivityAt",
    "activitySource",
    "firstSeen",
    "lastSeen",
    "closedAt",
    "closedReason",
    "excluded",
    "excludedBy",
    "inactiveDays",
];
pub const MODEL_HEADER: &[&str] = &[
    "id",
    "profileId",
    "name",
    "subscriptionIdentifier",
    "paid",
    "autoCreated",
    "createdAt",
    "subscriptionCount",
    "ruleId",
    "ruleLastActivityThresholdDays",
    "ruleActive",
];
pub const UNRECOGNIZED_HEADER: &[&str] = &["id", "profileId", "identifier", "firstSeen", "subscriptionCount"];
pub const JOB_RESULT_HEADER: &[&str] = &[
    "job",
    "number",
    "startedAt",
    "finishedAt",
    "status",
    "usersRead",
    "subscriptionsCreated",
    "subscriptionsUpdated",
    "subscriptionsClosed",
    "eventsRead",
    "requests",
    "retries",
    "warnings",
    "warningText",
    "errorMessage",
];

/// `profiles`: one line per profile.
pub async fn profile_table(db: &Db) -> CliResult<String> {
    let profiles = services::list_profiles(db).await?;
    let mut rows = vec![[
        "ID".to_owned(),
        "Display Name".into(),
        "Status".into(),
        "Connection".into(),
        "Last sync".into(),
    ]];
    for p in &profiles {
        let mut last: Option<JobResult> = None;
        for job in &p.jobs {
            if let Some(r) = jobs::list_job_results(db, job.id).await?.into_iter().next() {
                if last.as_ref().is_none_or(|l| r.started_at > l.started_at) {
                    last = Some(r);
                }
            }
        }
        let last = match last {
            Some(r) => format!(
                "{} ({})",
                r.finished_at.unwrap_or(r.started_at).format("%Y-%m-%d %H:%M UTC"),
                status_word(r.status)
            ),
            None => "never".into(),
        };
        let status = match p.status {
            ProfileStatus::Draft => "Draft",
            ProfileStatus::Published => "Published",
        };
        let connection = p.connection.as_ref().map_or_else(|| "(not set up)".to_owned(), |c| c.name.clone());
        rows.push([p.id.to_string(), p.display_name.clone(), status.into(), connection, last]);
    }
    if profiles.is_empty() {
        return Ok("No profiles yet. Create one in the Seatkeeper app.\n".into());
    }
    let widths: Vec<usize> =
        (0..5).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 4 { c.clone() } else { format!("{c:<w$}") })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}
