//! The reclamation verbs of `seatkeeper`: `candidates`, `reclaim` (dry run, confirm and run, resume),
//! `skip`, `audit` and `undo`, on the same core as the app's Removal Candidates and Audit Log
//! screens. Nothing here decides who is a candidate or what a reclaim writes: the core does, and
//! its messages (written for admins) are printed as they are.
//!
//! - A reclaim writes to Smartsheet only with `--yes`: without it the command refuses (exit 2) and
//!   writes nothing. `--dry-run` shows exactly who is affected and what happens to each seat.
//! - Confirming moves the candidates to Awaiting Revocation as the OS user ([`reclaim::os_user`]),
//!   then the profile's reclaim job runs here, with the progress bar of `seatkeeper run`. The job's
//!   lock keeps a run of the app and one of the command from ever running at once.
//! - A run that was killed leaves its candidates Awaiting Revocation (and perhaps one audit intent
//!   without an outcome): `reclaim --resume` runs the job again, which settles the intent by
//!   reading the seat and reclaims the rest, confirming nothing new.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write;

use seatkeeper_core::jobs::{self, JobKind, JobResult, JobStatus, RunContext};
use seatkeeper_core::profiles::{Profile, ProfileStatus};
use seatkeeper_core::reclaim::{
    self, money, AuditFilter, AuditOutcome, AuditRecord, CandidateFilter, CandidatePageRequest,
    CandidateSort, CandidateState, Justification, LastActivitySource, Money, ReclaimConfirmation,
    ReclaimPreview, RemovalCandidate, SavingsSummary,
};
use seatkeeper_core::smartsheet::SmartsheetClient;
use seatkeeper_core::sync::{self, SyncOptions, SyncProgress};
use seatkeeper_core::{Clock, Db, Error, SecretStore, SystemClock};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::{one_line, status_word, write_all, CliError, CliResult, ProgressMode, Reporter};
use crate::{EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE};

/// How many rows one read of the core returns (the core caps a page of candidates at 500).
const WINDOW: i64 = 500;

// ---------------------------------------------------------------------------------------------
// Choices on the command line

/// A `--state` value: one state, or a group of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateChoice {
    Ready,
    AwaitingUser,
    AwaitingApproval,
    AwaitingRevocation,
    AttentionRequired,
    ClosedComplete,
    ClosedSkipped,
    ClosedCanceled,
    /// Every open state (the default).
    Open,
    /// Every closed state.
    Closed,
    /// Every state.
    All,
}

impl StateChoice {
    fn covers(self, state: CandidateState) -> bool {
        match self {
            Self::Ready => state == CandidateState::Ready,
            Self::AwaitingUser => state == CandidateState::AwaitingUser,
            Self::AwaitingApproval => state == CandidateState::AwaitingApproval,
            Self::AwaitingRevocation => state == CandidateState::AwaitingRevocation,
            Self::AttentionRequired => state == CandidateState::AttentionRequired,
            Self::ClosedComplete => state == CandidateState::ClosedComplete,
            Self::ClosedSkipped => state == CandidateState::ClosedSkipped,
            Self::ClosedCanceled => state == CandidateState::ClosedCanceled,
            Self::Open => !state.is_closed(),
            Self::Closed => state.is_closed(),
            Self::All => true,
        }
    }
}

/// The states the `--state` values name, in the core's order. None given: empty, which the core
/// reads as every open state.
pub fn states(choices: &[StateChoice]) -> Vec<CandidateState> {
    CandidateState::ALL.into_iter().filter(|s| choices.iter().any(|c| c.covers(*s))).collect()
}

/// A `--justification` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JustificationChoice {
    LowUsage,
    NeverUsed,
}

/// The filters of `seatkeeper candidates`.
#[derive(Debug, Clone, Default)]
pub struct CandidateQuery {
    pub states: Vec<StateChoice>,
    /// The software model's id or name.
    pub model: Option<String>,
    pub min_inactive_days: Option<u32>,
    pub justification: Option<JustificationChoice>,
    pub search: Option<String>,
}

/// The core's filter for `query` on `profile` (the model named by id or by name, any case).
pub async fn candidate_filter(
    db: &Db,
    profile: &Profile,
    query: &CandidateQuery,
) -> CliResult<CandidateFilter> {
    let model_id = match &query.model {
        None => None,
        Some(spec) => Some(find_model(db, profile, spec).await?),
    };
    Ok(CandidateFilter {
        profile_id: Some(profile.id),
        model_id,
        states: states(&query.states),
        justification: query.justification.map(|j| match j {
            JustificationChoice::LowUsage => Justification::LowUsage,
            JustificationChoice::NeverUsed => Justification::NeverUsed,
        }),
        min_inactive_days: query.min_inactive_days.map(i64::from),
        search: query.search.clone().unwrap_or_default(),
        ids: None,
    })
}

/// A model of the profile by id, name or subscription identifier (`MEMBER`), any case.
pub(crate) async fn find_model(db: &Db, profile: &Profile, spec: &str) -> CliResult<i64> {
    let models = sync::list_models(db, profile.id).await?;
    let spec = spec.trim();
    if let Ok(id) = spec.parse::<i64>() {
        if let Some(m) = models.iter().find(|m| m.id == id) {
            return Ok(m.id);
        }
    }
    let matches: Vec<_> = models
        .iter()
        .filter(|m| {
            m.name.to_lowercase() == spec.to_lowercase()
                || m.subscription_identifier.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(spec))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => {
            let names: Vec<String> = models.iter().map(|m| format!("“{}” ({})", m.name, m.id)).collect();
            Err(CliError::new(
                EXIT_NOT_FOUND,
                format!(
                    "“{}” has no software model “{spec}” (by id or name). {}",
                    profile.display_name,
                    if names.is_empty() {
                        "It has none yet: refresh its subscriptions first.".to_owned()
                    } else {
                        format!("Its models: {}.", names.join(", "))
                    }
                ),
            ))
        }
        _ => Err(CliError::new(
            EXIT_NOT_FOUND,
            format!(
                "several models of “{}” are named “{spec}”; name the model by its id.",
                profile.display_name
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// candidates

/// Every candidate that matches `filter`, most inactive first, read from the core in windows.
pub async fn list_all_candidates(
    db: &Db,
    clock: &dyn Clock,
    filter: &CandidateFilter,
) -> CliResult<Vec<RemovalCandidate>> {
    let mut rows: Vec<RemovalCandidate> = Vec::new();
    loop {
        let request = CandidatePageRequest {
            filter: filter.clone(),
            sort: CandidateSort::InactiveDays,
            descending: true,
            offset: rows.len() as i64,
            limit: WINDOW,
        };
        let page = reclaim::list_candidates(db, clock, &request).await?;
        let read = page.rows.len();
        rows.extend(page.rows);
        if read == 0 || rows.len() as i64 >= page.total {
            break;
        }
    }
    Ok(rows)
}

fn justification_label(j: Justification) -> &'static str {
    match j {
        Justification::LowUsage => "Low Usage",
        Justification::NeverUsed => "Never used",
    }
}

fn source_label(s: LastActivitySource) -> &'static str {
    match s {
        LastActivitySource::Events => "event",
        LastActivitySource::LastLogin => "last login",
        LastActivitySource::None => "none",
    }
}

/// Several amounts (one per currency) as one text: `25.00 USD + 10.00 EUR`.
fn amounts(list: &[Money]) -> String {
    list.iter().map(ToString::to_string).collect::<Vec<_>>().join(" + ")
}

/// The candidates as a table, for people.
pub fn candidate_table(rows: &[RemovalCandidate]) -> String {
    if rows.is_empty() {
        return "No removal candidates match.\n".into();
    }
    let header = [
        "ID",
        "User",
        "Model",
        "Justification",
        "Last activity",
        "Inactive days",
        "Savings/month",
        "State",
        "Note",
    ];
    let body = rows
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.email.clone(),
                c.model_name.clone().unwrap_or_else(|| "—".into()),
                justification_label(c.justification).into(),
                match c.last_activity_at {
                    Some(at) => format!("{} ({})", at.format("%Y-%m-%d"), source_label(c.activity_source)),
                    None => "never".into(),
                },
                c.inactive_days.to_string(),
                c.monthly_savings.as_ref().map_or_else(|| "—".into(), ToString::to_string),
                c.state.label().into(),
                c.note.as_deref().map(one_line).unwrap_or_default(),
            ]
        })
        .collect();
    let mut out = table(&header, body);
    let _ = writeln!(out, "{} candidate{}.", rows.len(), if rows.len() == 1 { "" } else { "s" });
    out
}

/// A candidate as a CSV row: every field, the savings as plain amounts with their currency.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CandidateRow<'a> {
    id: i64,
    profile_id: i64,
    profile_name: &'a str,
    subscription_id: i64,
    model_id: Option<i64>,
    model_name: Option<&'a str>,
    user_id: i64,
    email: &'a str,
    name: Option<&'a str>,
    identifier: &'a str,
    is_internal: Option<bool>,
    justification: Justification,
    last_activity_at: Option<chrono::DateTime<chrono::Utc>>,
    activity_source: LastActivitySource,
    inactive_days: i64,
    state: CandidateState,
    opened_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
    notified_at: Option<chrono::DateTime<chrono::Utc>>,
    answered_at: Option<chrono::DateTime<chrono::Utc>>,
    approved_at: Option<chrono::DateTime<chrono::Utc>>,
    approved_by: Option<&'a str>,
    note: Option<&'a str>,
    notify_user: bool,
    currency: Option<&'a str>,
    monthly_savings: Option<String>,
    yearly_savings: Option<String>,
}

/// The columns of `candidates --csv`.
pub const CANDIDATE_HEADER: &[&str] = &[
    "id",
    "profileId",
    "profileName",
    "subscriptionId",
    "modelId",
    "modelName",
    "userId",
    "email",
    "name",
    "identifier",
    "isInternal",
    "justification",
    "lastActivityAt",
    "activitySource",
    "inactiveDays",
    "state",
    "openedAt",
    "updatedAt",
    "closedAt",
    "notifiedAt",
    "answeredAt",
    "approvedAt",
    "approvedBy",
    "note",
    "notifyUser",
    "currency",
    "monthlySavings",
    "yearlySavings",
];

/// Writes the candidates as CSV (a header row, also for none; text made spreadsheet-safe).
pub fn write_candidates_csv(rows: &[RemovalCandidate], out: impl Write) -> CliResult<usize> {
    let plain = |m: &Option<Money>| m.as_ref().map(|m| money::plain(m.minor, m.exponent));
    let csv_rows: Vec<CandidateRow<'_>> = rows
        .iter()
        .map(|c| CandidateRow {
            id: c.id,
            profile_id: c.profile_id,
            profile_name: &c.profile_name,
            subscription_id: c.subscription_id,
            model_id: c.model_id,
            model_name: c.model_name.as_deref(),
            user_id: c.user_id,
            email: &c.email,
            name: c.name.as_deref(),
            identifier: &c.identifier,
            is_internal: c.is_internal,
            justification: c.justification,
            last_activity_at: c.last_activity_at,
            activity_source: c.activity_source,
            inactive_days: c.inactive_days,
            state: c.state,
            opened_at: c.opened_at,
            updated_at: c.updated_at,
            closed_at: c.closed_at,
            notified_at: c.notified_at,
            answered_at: c.answered_at,
            approved_at: c.approved_at,
            approved_by: c.approved_by.as_deref(),
            note: c.note.as_deref(),
            notify_user: c.notify_user,
            currency: c.monthly_savings.as_ref().map(|m| m.currency.as_str()),
            monthly_savings: plain(&c.monthly_savings),
            yearly_savings: plain(&c.yearly_savings),
        })
        .collect();
    let mut w = csv::Writer::from_writer(out);
    let n = write_all(&mut w, CANDIDATE_HEADER, &csv_rows)?;
    w.flush()?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Which candidates a reclaim or a skip acts on

/// What `reclaim` acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These candidates of the profile (`--candidate`).
    Candidates(Vec<i64>),
    /// Every candidate of the profile that is Ready now (`--all-ready`).
    AllReady,
}

/// The ids of a profile's candidates in `states` (none given: every open state), in id order.
async fn ids_in(
    db: &Db,
    clock: &dyn Clock,
    profile: &Profile,
    states: Vec<CandidateState>,
) -> CliResult<Vec<i64>> {
    let filter = CandidateFilter { profile_id: Some(profile.id), states, ..CandidateFilter::default() };
    Ok(reclaim::candidate_ids(db, clock, &filter).await?)
}

/// `ids` without repeats, each checked to be one of `profile`'s candidates (in any state): a
/// command that names one profile never acts on another's candidates.
pub async fn own_candidates(
    db: &Db,
    clock: &dyn Clock,
    profile: &Profile,
    ids: &[i64],
) -> CliResult<Vec<i64>> {
    let mine: HashSet<i64> =
        ids_in(db, clock, profile, CandidateState::ALL.to_vec()).await?.into_iter().collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for &id in ids {
        if !mine.contains(&id) {
            return Err(CliError::new(
                EXIT_NOT_FOUND,
                format!(
                    "“{}” has no removal candidate {id}; nothing was written. `seatkeeper candidates {} --state all` \
                     lists its candidates.",
                    profile.display_name, profile.id
                ),
            ));
        }
        if seen.insert(id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The candidate ids `selection` names now.
pub async fn selected_ids(
    db: &Db,
    clock: &dyn Clock,
    profile: &Profile,
    selection: &Selection,
) -> CliResult<Vec<i64>> {
    match selection {
        Selection::Candidates(ids) => own_candidates(db, clock, profile, ids).await,
        Selection::AllReady => ids_in(db, clock, profile, vec![CandidateState::Ready]).await,
    }
}

/// The profile's candidates confirmed earlier and not reclaimed yet (Awaiting Revocation).
pub async fn awaiting_revocation(db: &Db, clock: &dyn Clock, profile: &Profile) -> CliResult<Vec<i64>> {
    ids_in(db, clock, profile, vec![CandidateState::AwaitingRevocation]).await
}

// ---------------------------------------------------------------------------------------------
// reclaim --dry-run

/// What `reclaim --dry-run` prints with `--json`: the core's preview, and the candidates confirmed
/// earlier that the same run would reclaim too.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    pub profile_id: i64,
    pub profile_name: String,
    #[serde(flatten)]
    pub preview: ReclaimPreview,
    /// Candidates already Awaiting Revocation: any reclaim run of the profile takes them too.
    pub awaiting_revocation: Vec<i64>,
}

fn empty_savings() -> SavingsSummary {
    SavingsSummary { seats: 0, seats_without_cost: 0, monthly: Vec::new(), yearly: Vec::new() }
}

/// The dry run of reclaiming `selection` (writes nothing).
pub async fn dry_run(
    db: &Db,
    clock: &dyn Clock,
    profile: &Profile,
    selection: &Selection,
) -> CliResult<DryRun> {
    let ids = selected_ids(db, clock, profile, selection).await?;
    let preview = if ids.is_empty() {
        ReclaimPreview { items: Vec::new(), refused: Vec::new(), savings: empty_savings() }
    } else {
        reclaim::preview(db, clock, &ids).await?
    };
    Ok(DryRun {
        profile_id: profile.id,
        profile_name: profile.display_name.clone(),
        preview,
        awaiting_revocation: awaiting_revocation(db, clock, profile).await?,
    })
}

fn savings_line(s: &SavingsSummary) -> String {
    let mut line = if s.monthly.is_empty() {
        "Savings: not known (no cost per seat is set for these models in Seatkeeper).".to_owned()
    } else {
        format!("Savings: {} per month, {} per year.", amounts(&s.monthly), amounts(&s.yearly))
    };
    if !s.monthly.is_empty() && s.seats_without_cost > 0 {
        let _ = write!(
            line,
            " {} of the seats {} no cost set for {} model and {} not counted.",
            s.seats_without_cost,
            if s.seats_without_cost == 1 { "has" } else { "have" },
            if s.seats_without_cost == 1 { "its" } else { "their" },
            if s.seats_without_cost == 1 { "is" } else { "are" },
        );
    }
    line
}

/// The dry run, for people.
pub fn dry_run_text(d: &DryRun, selection: &Selection) -> String {
    let mut out = String::new();
    let p = &d.preview;
    if p.items.is_empty() && p.refused.is_empty() {
        let _ = writeln!(
            out,
            "No candidate of “{}” is Ready: nothing to reclaim. Nothing was written.",
            d.profile_name
        );
    } else if p.items.is_empty() {
        let _ = writeln!(
            out,
            "Dry run for “{}”: reclaiming would change no seat, every selected candidate is refused. Nothing was \
             written.",
            d.profile_name
        );
    } else {
        let _ = writeln!(
            out,
            "Dry run for “{}”: reclaiming would change {} seat{} as below. Nothing was written.",
            d.profile_name,
            p.items.len(),
            if p.items.len() == 1 { "" } else { "s" }
        );
    }
    if !p.items.is_empty() {
        let header =
            ["ID", "User", "Model", "Seat before → after", "Action", "Savings/month", "Also changes"];
        let body = p
            .items
            .iter()
            .map(|i| {
                vec![
                    i.candidate_id.to_string(),
                    match &i.name {
                        Some(name) if !name.trim().is_empty() => format!("{} ({})", i.email, name.trim()),
                        _ => i.email.clone(),
                    },
                    i.model_name.clone().unwrap_or_else(|| "—".into()),
                    format!("{} → {}", i.seat_before, i.seat_after),
                    i.action.label().into(),
                    i.monthly_savings.as_ref().map_or_else(|| "—".into(), ToString::to_string),
                    i.also.as_deref().map(one_line).unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&table(&header, body));
        let _ = writeln!(out, "{}", savings_line(&p.savings));
    }
    if !p.refused.is_empty() {
        let _ = writeln!(
            out,
            "Refused ({}): while any selected candidate is refused, confirming reclaims none of them.",
            p.refused.len()
        );
        for r in &p.refused {
            let _ = writeln!(out, "  {} {}: {}", r.candidate_id, clean(&r.email), one_line(&r.reason));
        }
    }
    if !d.awaiting_revocation.is_empty() {
        let _ = writeln!(
            out,
            "Also in the run: {} candidate{} confirmed earlier and still Awaiting Revocation ({}); any reclaim run of \
             the profile reclaims {} too (`seatkeeper reclaim {} --resume` reclaims only those).",
            d.awaiting_revocation.len(),
            if d.awaiting_revocation.len() == 1 { "" } else { "s" },
            id_list(&d.awaiting_revocation),
            if d.awaiting_revocation.len() == 1 { "it" } else { "them" },
            d.profile_id
        );
    }
    if !p.items.is_empty() && p.refused.is_empty() {
        let how = match selection {
            Selection::AllReady => "--all-ready".to_owned(),
            Selection::Candidates(_) => p
                .items
                .iter()
                .map(|i| format!("--candidate {}", i.candidate_id))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let _ = writeln!(out, "To reclaim: seatkeeper reclaim {} {how} --yes", d.profile_id);
    }
    out
}

fn id_list(ids: &[i64]) -> String {
    const SHOWN: usize = 20;
    let mut text = ids.iter().take(SHOWN).map(ToString::to_string).collect::<Vec<_>>().join(", ");
    if ids.len() > SHOWN {
        let _ = write!(text, " and {} more", ids.len() - SHOWN);
    }
    text
}

// ---------------------------------------------------------------------------------------------
// reclaim (confirm, then run) and reclaim --resume

/// Refuses to reclaim for a Draft profile (its reclaim job does not run).
pub fn ensure_reclaimable(profile: &Profile) -> CliResult<()> {
    if profile.status == ProfileStatus::Published {
        return Ok(());
    }
    Err(CliError::new(
        EXIT_NOT_FOUND,
        format!(
            "“{}” is a Draft, and Seatkeeper reclaims seats only for published profiles. Validate Connection and Publish \
             it in Seatkeeper first. Nothing was written.",
            profile.display_name
        ),
    ))
}

/// What a `reclaim` did: the confirmation (none for `--resume`), the run's Scheduled Job Result
/// (none when there was nothing to do), and each candidate the run took, as it ended.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimRun {
    pub profile_id: i64,
    pub profile_name: String,
    pub confirmation: Option<ReclaimConfirmation>,
    pub result: Option<JobResult>,
    pub candidates: Vec<RemovalCandidate>,
    /// `--resume` (nothing was to be confirmed).
    #[serde(skip)]
    pub resume: bool,
}

impl ReclaimRun {
    /// The run failed, was cancelled, or left a candidate needing the admin's attention.
    pub fn failed(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.status != JobStatus::Succeeded || r.candidates_failed > 0)
            || self.candidates.iter().any(|c| c.state == CandidateState::AttentionRequired)
    }
}

/// Confirms `selection` as `confirmed_by` (all or nothing), then runs the profile's reclaim job with
/// `client`; with no selection (`--resume`) only runs the job, for the candidates confirmed
/// earlier. Nothing to confirm and nothing left over: no run.
pub async fn reclaim_and_run(
    db: &Db,
    client: &SmartsheetClient,
    profile: &Profile,
    selection: Option<&Selection>,
    confirmed_by: &str,
    mode: ProgressMode,
    cancel: &CancellationToken,
) -> CliResult<ReclaimRun> {
    let clock = SystemClock;
    let mut run = ReclaimRun {
        profile_id: profile.id,
        profile_name: profile.display_name.clone(),
        confirmation: None,
        result: None,
        candidates: Vec::new(),
        resume: selection.is_none(),
    };
    if let Some(selection) = selection {
        let ids = selected_ids(db, &clock, profile, selection).await?;
        if ids.is_empty() {
            return Ok(run);
        }
        run.confirmation = Some(reclaim::confirm(db, &clock, &ids, confirmed_by).await?);
    } else if awaiting_revocation(db, &clock, profile).await?.is_empty()
        && !all_audit(db, profile, "").await?.iter().any(|r| r.outcome.is_none())
    {
        return Ok(run);
    }
    // Every candidate the run will take: the ones just confirmed and any confirmed earlier.
    let taken: HashSet<i64> = awaiting_revocation(db, &clock, profile).await?.into_iter().collect();

    let reporter = Reporter::new(JobKind::Reclaim.job_name(&profile.display_name), mode);
    let progress = |p: SyncProgress| reporter.update(p);
    let options = SyncOptions::default();
    let context = RunContext {
        db,
        client,
        profile_id: profile.id,
        clock: &clock,
        options: &options,
        progress: &progress,
        cancel,
    };
    let result = jobs::run(JobKind::Reclaim, context).await;
    reporter.finish();
    let result = result.map_err(|e| {
        let mut e = CliError::from(e);
        if run.confirmation.is_some() {
            e.message.push_str(&format!(
                " The confirmed candidates stay Awaiting Revocation: a running reclaim of the profile takes them, or \
                 `seatkeeper reclaim {} --resume` does later.",
                profile.id
            ));
        }
        e
    })?;
    run.result = Some(result);

    let taken = CandidateFilter {
        profile_id: Some(profile.id),
        states: CandidateState::ALL.to_vec(),
        ids: Some(taken.into_iter().collect()),
        ..CandidateFilter::default()
    };
    let mut candidates: Vec<RemovalCandidate> = list_all_candidates(db, &clock, &taken).await?;
    candidates.sort_by_key(|c| c.id);
    run.candidates = candidates;
    Ok(run)
}

/// The run's result line and what became of each candidate, for people.
pub fn reclaim_text(run: &ReclaimRun) -> String {
    let mut out = String::new();
    if let Some(c) = &run.confirmation {
        let _ = writeln!(
            out,
            "Confirmed {} candidate{} of “{}” (confirmed by {}).",
            c.confirmed,
            if c.confirmed == 1 { "" } else { "s" },
            run.profile_name,
            c.confirmed_by
        );
    }
    let Some(r) = &run.result else {
        if run.resume {
            let _ = writeln!(
                out,
                "Nothing to resume for “{}”: no candidate is Awaiting Revocation, and every audit record has its \
                 outcome. Nothing was written.",
                run.profile_name
            );
        } else {
            let _ = writeln!(
                out,
                "No candidate of “{}” is Ready: nothing was confirmed or written. (`seatkeeper candidates {} --state \
                 awaiting-revocation` lists candidates confirmed earlier; `--resume` reclaims them.)",
                run.profile_name, run.profile_id
            );
        }
        return out;
    };
    let _ = writeln!(out, "{}", reclaim_summary(&JobKind::Reclaim.job_name(&run.profile_name), r));
    let groups: [(&str, &dyn Fn(CandidateState) -> bool); 6] = [
        ("Reclaimed", &|s| s == CandidateState::ClosedComplete),
        ("Canceled, the user was active again", &|s| s == CandidateState::ClosedCanceled),
        ("Attention required", &|s| s == CandidateState::AttentionRequired),
        ("Not reached, Ready again", &|s| s == CandidateState::Ready),
        ("Still Awaiting Revocation", &|s| s == CandidateState::AwaitingRevocation),
        ("Other", &|s| {
            !matches!(
                s,
                CandidateState::ClosedComplete
                    | CandidateState::ClosedCanceled
                    | CandidateState::AttentionRequired
                    | CandidateState::Ready
                    | CandidateState::AwaitingRevocation
            )
        }),
    ];
    for (title, wanted) in groups {
        let mine: Vec<&RemovalCandidate> = run.candidates.iter().filter(|c| wanted(c.state)).collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title} ({}):", mine.len());
        for c in mine {
            let note = c.note.as_deref().map(one_line).unwrap_or_default();
            let state = if title == "Other" { format!(" [{}]", c.state.label()) } else { String::new() };
            let _ = writeln!(out, "  {} {}{state}: {note}", c.id, clean(&c.email));
        }
    }
    if run.candidates.iter().any(|c| c.state == CandidateState::AttentionRequired) {
        let _ = writeln!(
            out,
            "Candidates that need attention keep their seat. Once the cause is fixed, Resume them in Seatkeeper and \
             reclaim again, or close them with `seatkeeper skip {} --candidate ID --reason TEXT`.",
            run.profile_id
        );
    }
    if run.candidates.iter().any(|c| c.state == CandidateState::AwaitingRevocation) {
        let _ = writeln!(
            out,
            "`seatkeeper reclaim {} --resume` reclaims those still Awaiting Revocation.",
            run.profile_id
        );
    }
    out
}

/// One line about a finished reclaim run.
pub fn reclaim_summary(job_name: &str, r: &JobResult) -> String {
    let took = r
        .finished_at
        .map(|f| format!(" in {:.1} s", (f - r.started_at).num_milliseconds() as f64 / 1000.0))
        .unwrap_or_default();
    let mut line = format!(
        "{job_name} #{}: {}{took} — {} reclaimed, {} canceled (active again), {} need{} attention; {} requests ({} \
         retries)",
        r.number,
        status_word(r.status),
        r.candidates_reclaimed,
        r.candidates_canceled,
        r.candidates_failed,
        if r.candidates_failed == 1 { "s" } else { "" },
        r.requests,
        r.retries
    );
    if let Some(e) = &r.error_message {
        let _ = write!(line, ": {}", one_line(e));
    }
    line
}

// ---------------------------------------------------------------------------------------------
// skip

/// What `skip --json` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub profile_id: i64,
    pub skipped: usize,
    pub candidate_ids: Vec<i64>,
    pub reason: String,
}

/// Skips the profile's candidates `ids` (→ Closed Skipped) with `reason`; all or nothing.
pub async fn skip(db: &Db, profile: &Profile, ids: &[i64], reason: &str) -> CliResult<Skipped> {
    let clock = SystemClock;
    let ids = own_candidates(db, &clock, profile, ids).await?;
    let skipped = reclaim::skip(db, &clock, &ids, reason).await.map_err(|e| match e {
        // A missing or too long reason is bad input on the command line.
        Error::Validation { message, .. } => {
            CliError::new(EXIT_USAGE, format!("--reason: {} Nothing was skipped.", one_line(&message)))
        }
        other => other.into(),
    })?;
    Ok(Skipped { profile_id: profile.id, skipped, candidate_ids: ids, reason: reason.trim().to_owned() })
}

// ---------------------------------------------------------------------------------------------
// audit

/// Every audit record of the profile (matching `search`, when not empty), newest first, read in
/// windows.
pub async fn all_audit(db: &Db, profile: &Profile, search: &str) -> CliResult<Vec<AuditRecord>> {
    let now = SystemClock.now();
    let filter =
        AuditFilter { profile_id: Some(profile.id), search: search.to_owned(), ..AuditFilter::default() };
    let mut rows: Vec<AuditRecord> = Vec::new();
    loop {
        let page = reclaim::list_audit(db, now, &filter, rows.len() as i64, WINDOW).await?;
        let read = page.rows.len();
        rows.extend(page.rows);
        if read == 0 || rows.len() as i64 >= page.total {
            break;
        }
    }
    Ok(rows)
}

fn outcome_label(o: Option<AuditOutcome>) -> &'static str {
    match o {
        Some(o) => o.label(),
        None => "Not known yet (the next reclaim run settles it)",
    }
}

/// The audit log as a table, for people.
pub fn audit_table(rows: &[AuditRecord]) -> String {
    if rows.is_empty() {
        return "No audit records: Seatkeeper has written nothing to Smartsheet for this profile.\n".into();
    }
    let header = [
        "ID",
        "When (UTC)",
        "User",
        "Action",
        "Seat before → after",
        "Outcome",
        "Error",
        "refId",
        "Confirmed by",
        "Candidate",
        "Undo",
    ];
    let body = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.requested_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.email.clone(),
                match r.undo_of {
                    Some(of) => format!("{} of {of}", r.action.label()),
                    None => r.action.label().into(),
                },
                format!("{} → {}", r.seat_before, r.seat_after),
                outcome_label(r.outcome).into(),
                r.error_code.map(|c| c.to_string()).unwrap_or_default(),
                r.ref_id.clone().unwrap_or_default(),
                r.confirmed_by.clone(),
                r.candidate_id.map(|c| c.to_string()).unwrap_or_default(),
                match &r.undo_blocked {
                    None => "possible".into(),
                    Some(why) => format!("no: {}", one_line(why)),
                },
            ]
        })
        .collect();
    table(&header, body)
}

/// The columns of `audit --csv`: every field of a record, as in `--json`.
pub const AUDIT_HEADER: &[&str] = &[
    "id",
    "profileId",
    "profileName",
    "requestedAt",
    "userId",
    "email",
    "name",
    "action",
    "seatBefore",
    "seatAfter",
    "request",
    "confirmedBy",
    "candidateId",
    "undoOf",
    "undoneBy",
    "jobResultId",
    "outcome",
    "finishedAt",
    "errorCode",
    "message",
    "refId",
    "undoBlocked",
];

/// Writes the audit records as CSV (spreadsheet-safe).
pub fn write_audit_csv(rows: &[AuditRecord], out: impl Write) -> CliResult<usize> {
    let mut w = csv::Writer::from_writer(out);
    let n = write_all(&mut w, AUDIT_HEADER, rows)?;
    w.flush()?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// undo

/// The record `audit_id`, if it can be undone: exit 3 when it does not exist, and a refusal (exit
/// 1) that says why when it cannot be undone.
pub async fn undoable(db: &Db, audit_id: i64) -> CliResult<AuditRecord> {
    let record = reclaim::get_audit(db, SystemClock.now(), audit_id).await?;
    if let Some(why) = &record.undo_blocked {
        return Err(CliError::new(
            EXIT_FAILED,
            format!("audit record {audit_id} cannot be undone: {} Nothing was written.", one_line(why)),
        ));
    }
    Ok(record)
}

/// What undoing `record` would do, for the refusal without `--yes`.
pub fn undo_plan(record: &AuditRecord) -> String {
    format!(
        "Undoing audit record {} gives {} of “{}” back the seat Seatkeeper took: {} → {}.",
        record.id,
        clean(&record.email),
        record.profile_name,
        record.seat_after,
        record.seat_before
    )
}

/// Undoes audit record `audit_id` as `confirmed_by`: the undo's own record, whatever its outcome.
pub async fn undo(
    db: &Db,
    secrets: &dyn SecretStore,
    audit_id: i64,
    confirmed_by: &str,
) -> CliResult<AuditRecord> {
    let options = seatkeeper_core::connections::ClientOptions::jobs();
    Ok(reclaim::undo(db, secrets, &SystemClock, &options, audit_id, confirmed_by).await?)
}

/// An audit record in a few lines, for people (an undo's own record).
pub fn audit_text(r: &AuditRecord) -> String {
    let mut out = format!(
        "Audit record {}{}: {} of “{}”: {} {} → {}, confirmed by {}: {}.",
        r.id,
        r.undo_of.map(|of| format!(" (undo of {of})")).unwrap_or_default(),
        clean(&r.email),
        r.profile_name,
        r.action.label(),
        r.seat_before,
        r.seat_after,
        r.confirmed_by,
        outcome_label(r.outcome)
    );
    if let Some(code) = r.error_code {
        let _ = write!(out, " Smartsheet error {code}.");
    }
    if let Some(message) = &r.message {
        let _ = write!(out, " {}", one_line(message));
    }
    if let Some(ref_id) = &r.ref_id {
        let _ = write!(out, " (refId {ref_id})");
    }
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// Text output

/// A cell as a terminal may show it: no control characters (a user's name or a server's message
/// could carry escape sequences).
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Rows under a header, columns padded to their widest cell (the last one is not padded).
pub(crate) fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut all: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    all.extend(rows.into_iter().map(|r| r.iter().map(|c| clean(c)).collect()));
    let columns = header.len();
    let widths: Vec<usize> =
        (0..columns).map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &all {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i + 1 == columns { c.clone() } else { format!("{c:<w$}") })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_groups() {
        assert!(states(&[]).is_empty(), "none: the core's default (every open state)");
        assert_eq!(states(&[StateChoice::Ready, StateChoice::Ready]), vec![CandidateState::Ready]);
        assert_eq!(states(&[StateChoice::All]), CandidateState::ALL.to_vec());
        assert!(states(&[StateChoice::Open]).iter().all(|s| !s.is_closed()));
        assert_eq!(states(&[StateChoice::Open]).len(), 5);
        assert_eq!(
            states(&[StateChoice::ClosedSkipped, StateChoice::Ready]),
            vec![CandidateState::Ready, CandidateState::ClosedSkipped]
        );
    }

    #[test]
    fn tables_pad_and_drop_control_characters() {
        let t = table(
            &["A", "B"],
            vec![vec!["x\u{1b}[31m".into(), "last".into()], vec!["long".into(), "".into()]],
        );
        assert_eq!(t, "A       B\nx [31m  last\nlong\n");
    }
}
