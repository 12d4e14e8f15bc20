//! Protected users: people whose seats are never reclaimed (executives, service accounts), by email
//! address or by domain, each with the admin's note. The review screen lists their subscriptions as
//! "not a candidate: protected".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::state::CandidateState;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::sync::exclusions::normalize_pattern;

/// The longest note kept.
pub const MAX_NOTE: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ProtectedUser {
    pub id: i64,
    pub profile_id: i64,
    /// A lower-case email address, or a domain written `@example.com` (its subdomains included).
    pub pattern: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// Open subscriptions it protects.
    pub subscription_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ProtectedUserInput {
    /// An email address, or a domain (`example.com` or `@example.com`).
    pub pattern: String,
    pub note: String,
}

/// Whether `pattern` (as stored) covers `email`.
pub fn covers(pattern: &str, email: &str) -> bool {
    let email = email.to_lowercase();
    match pattern.strip_prefix('@') {
        Some(domain) => email.rsplit_once('@').is_some_and(|(_, d)| {
            d == domain || d.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
        }),
        None => email == pattern,
    }
}

pub async fn list_protected(db: &Db, profile_id: i64) -> Result<Vec<ProtectedUser>> {
    crate::profiles::ensure_exists(&mut *db.pool().acquire().await?, profile_id).await?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", profile_id, pattern, note, created_at AS "created_at: DateTime<Utc>"
           FROM protected_users WHERE profile_id = ? ORDER BY pattern"#,
        profile_id
    )
    .fetch_all(db.pool())
    .await?;
    let emails = sqlx::query_scalar!(
        "SELECT email FROM software_subscriptions WHERE profile_id = ? AND closed_at IS NULL",
        profile_id
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProtectedUser {
            subscription_count: emails.iter().filter(|e| covers(&r.pattern, e)).count() as i64,
            id: r.id,
            profile_id: r.profile_id,
            pattern: r.pattern,
            note: r.note,
            created_at: r.created_at,
        })
        .collect())
}

/// Adds a protected user or domain. Open removal candidates it covers close as Closed Skipped
/// ("protected") at once.
pub async fn add_protected(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
    input: ProtectedUserInput,
) -> Result<ProtectedUser> {
    let pattern = normalize_pattern(&input.pattern)?;
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(Error::validation("note", format!("A note has at most {MAX_NOTE} characters.")));
    }
    let now = clock.now();
    let mut tx = db.write().await?;
    crate::profiles::ensure_exists(&mut tx, profile_id).await?;
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO protected_users (profile_id, pattern, note, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (profile_id, pattern) DO NOTHING RETURNING id AS "id!""#,
        profile_id,
        pattern,
        note,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        return Err(Error::validation("pattern", format!("“{pattern}” is already a protected user.")));
    };
    super::candidates::close_protected(&mut tx, profile_id, &pattern, now).await?;
    tx.commit().await?;
    list_protected(db, profile_id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::Internal("the protected user just added is gone".into()))
}

/// Protects the users of the removal candidates `ids` (their e-mail addresses, with `note`), all or
/// nothing, and closes their open candidates as Closed Skipped ("protected"). A user already
/// covered by a protection is left as it is. Candidates being reclaimed (Awaiting Revocation)
/// cannot be protected: their reclaim was confirmed; cancel it first. Returns how many
/// protections were added.
pub async fn protect_candidates(db: &Db, clock: &dyn Clock, ids: &[i64], note: &str) -> Result<usize> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(Error::validation("note", format!("A note has at most {MAX_NOTE} characters.")));
    }
    if ids.is_empty() {
        return Err(Error::validation("candidateIds", "Select at least one removal candidate to protect."));
    }
    let json = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let now = clock.now();
    let mut tx = db.write().await?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", profile_id, email, state AS "state: CandidateState"
           FROM removal_candidates WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"#,
        json
    )
    .fetch_all(&mut *tx)
    .await?;
    if let Some(missing) = ids.iter().find(|id| !rows.iter().any(|r| r.id == **id)) {
        return Err(super::candidates::candidate_not_found(*missing));
    }
    if let Some(r) = rows.iter().find(|r| r.state == CandidateState::AwaitingRevocation) {
        return Err(Error::Conflict(format!(
            "{} (candidate {}) is being reclaimed (Awaiting Revocation): cancel the reclaim job first. Nobody was \
             protected.",
            r.email, r.id
        )));
    }
    let mut added = 0;
    for r in &rows {
        let pattern = normalize_pattern(&r.email)?;
        let existing =
            sqlx::query_scalar!("SELECT pattern FROM protected_users WHERE profile_id = ?", r.profile_id)
                .fetch_all(&mut *tx)
                .await?;
        if existing.iter().any(|p| covers(p, &pattern)) {
            continue;
        }
        sqlx::query!(
            "INSERT INTO protected_users (profile_id, pattern, note, created_at) VALUES (?, ?, ?, ?)",
            r.profile_id,
            pattern,
            note,
            now
        )
        .execute(&mut *tx)
        .await?;
        super::candidates::close_protected(&mut tx, r.profile_id, &pattern, now).await?;
        added += 1;
    }
    tx.commit().await?;
    Ok(added)
}

/// Removes a protection. The user's seat may become a candidate at the next computation.
pub async fn delete_protected(db: &Db, id: i64) -> Result<()> {
    let done = sqlx::query!("DELETE FROM protected_users WHERE id = ?", id).execute(db.pool()).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(format!(
            "The protected user (id {id}) is no longer in the list. Refresh the list."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn patterns_cover_addresses_and_subdomains() {
        assert!(covers("ann@example.com", "Ann@Example.com"));
        assert!(!covers("ann@example.com", "anna@example.com"));
        assert!(covers("@example.com", "bo@example.com"));
        assert!(covers("@example.com", "bo@eu.example.com"));
        assert!(!covers("@example.com", "bo@badexample.com"));
        assert!(!covers("@example.com", "bo@example.com.evil"));
    }
}
