//! Subscription exclusion rules: the Subscription Identifier Exclusion Rule and Subscription User
//! Exclusion Rule lists of a profile.
//!
//! - An identifier rule (`GUEST`, `Unlicensed`, …) excludes every subscription with that
//!   subscription identifier (compared without regard to case).
//! - A user rule excludes one email address (`ann@example.com`) or a whole domain
//!   (`contractors.example` or `@contractors.example`, stored as `@contractors.example`), the
//!   domain's subdomains included.
//!
//! Only active rules count. A rule never changes or deletes a subscription: excluded
//! subscriptions are flagged in the subscriptions list (`excluded`, `excludedBy`) and left out of
//! cost and candidate calculations. The one definition of the predicate is the SQL view
//! `subscription_exclusions` (subscription id → the rule that excludes it), see
//! [`EXCLUSIONS_VIEW`] and [`excluded_by`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use ts_rs::TS;

use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};

/// The SQL view that says which subscriptions are excluded: columns `subscription_id`,
/// `profile_id`, `excluded_by` (e.g. `identifier GUEST`, `user @contractors.example`); only
/// excluded subscriptions have a row. Join it (`LEFT JOIN subscription_exclusions e ON
/// e.subscription_id = s.id`) wherever excluded subscriptions must be left out.
pub const EXCLUSIONS_VIEW: &str = "subscription_exclusions";

/// The longest subscription identifier accepted.
pub(crate) const MAX_IDENTIFIER: usize = 100;

/// Whether the profile has an active exclusion rule of either kind. The exclusion view matches
/// every rule against each subscription it is asked about; without rules, nothing need ask it.
pub(crate) async fn any_active(conn: &mut sqlx::SqliteConnection, profile_id: i64) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM identifier_exclusion_rules WHERE profile_id = ?1 AND active = 1)
               OR EXISTS (SELECT 1 FROM user_exclusion_rules WHERE profile_id = ?1 AND active = 1) AS "any!: bool""#,
        profile_id
    )
    .fetch_one(conn)
    .await?)
}

/// A Subscription Identifier Exclusion Rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, FromRow)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "exclusions.ts")]
pub struct IdentifierExclusionRule {
    pub id: i64,
    pub profile_id: i64,
    pub identifier: String,
    pub active: bool,
    /// Subscriptions (open or closed) the rule matches now, whether or not it is active.
    pub subscription_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Whether a user rule names one address or a whole domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "exclusions.ts")]
pub enum UserPatternKind {
    Email,
    Domain,
}

/// A Subscription User Exclusion Rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "exclusions.ts")]
pub struct UserExclusionRule {
    pub id: i64,
    pub profile_id: i64,
    /// `ann@example.com`, or `@contractors.example` for a domain (and its subdomains).
    pub pattern: String,
    pub kind: UserPatternKind,
    pub active: bool,
    /// Subscriptions (open or closed) the rule matches now, whether or not it is active.
    pub subscription_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    profile_id: i64,
    pattern: String,
    active: bool,
    subscription_count: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserExclusionRule {
    fn from(r: UserRow) -> Self {
        let kind = if r.pattern.starts_with('@') { UserPatternKind::Domain } else { UserPatternKind::Email };
        Self {
            id: r.id,
            profile_id: r.profile_id,
            pattern: r.pattern,
            kind,
            active: r.active,
            subscription_count: r.subscription_count,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Both exclusion rule lists of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "exclusions.ts")]
pub struct ExclusionRules {
    pub identifier_rules: Vec<IdentifierExclusionRule>,
    pub user_rules: Vec<UserExclusionRule>,
}

/// A new identifier rule (`id` null) or an edit of one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "exclusions.ts")]
pub struct IdentifierExclusionInput {
    #[ts(optional = nullable)]
    #[serde(default)]
    pub id: Option<i64>,
    pub identifier: String,
    pub active: bool,
}

/// A new user rule (`id` null) or an edit of one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "exclusions.ts")]
pub struct UserExclusionInput {
    #[ts(optional = nullable)]
    #[serde(default)]
    pub id: Option<i64>,
    /// An email address, or a domain with or without a leading `@`.
    pub pattern: String,
    pub active: bool,
}

/// Which list a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "exclusions.ts")]
pub enum ExclusionKind {
    Identifier,
    User,
}

/// A match of a user rule against a subscription's email: the SQL of the view, for the counts.
const USER_MATCH: &str =
    "(u.pattern = lower(s.email) OR (substr(u.pattern, 1, 1) = '@' AND instr(s.email, '@') > 0 \
     AND (lower(substr(s.email, instr(s.email, '@'))) = u.pattern \
     OR substr(lower(s.email), -length(u.pattern)) = '.' || substr(u.pattern, 2))))";

/// The exclusion rules of a profile, each list by identifier / pattern.
pub async fn list_exclusion_rules(db: &Db, profile_id: i64) -> Result<ExclusionRules> {
    let mut conn = db.pool().acquire().await?;
    crate::profiles::ensure_exists(&mut conn, profile_id).await?;
    let identifier_rules = sqlx::query_as::<_, IdentifierExclusionRule>(
        "SELECT r.id, r.profile_id, r.identifier, r.active, \
         (SELECT count(*) FROM software_subscriptions s WHERE s.profile_id = r.profile_id \
            AND s.identifier = r.identifier COLLATE NOCASE) AS subscription_count, \
         r.created_at, r.updated_at FROM identifier_exclusion_rules r WHERE r.profile_id = ? \
         ORDER BY r.identifier, r.id",
    )
    .bind(profile_id)
    .fetch_all(&mut *conn)
    .await?;
    let sql = format!(
        "SELECT u.id, u.profile_id, u.pattern, u.active, \
         (SELECT count(*) FROM software_subscriptions s WHERE s.profile_id = u.profile_id AND {USER_MATCH}) \
            AS subscription_count, \
         u.created_at, u.updated_at FROM user_exclusion_rules u WHERE u.profile_id = ? ORDER BY u.pattern, u.id"
    );
    let user_rules = sqlx::query_as::<_, UserRow>(&sql)
        .bind(profile_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(UserExclusionRule::from)
        .collect();
    Ok(ExclusionRules { identifier_rules, user_rules })
}

/// The identifier of an identifier rule, trimmed, or a field error on `identifier`.
pub(crate) fn check_identifier(value: &str) -> Result<&str> {
    let identifier = value.trim();
    if identifier.is_empty() {
        return Err(Error::validation("identifier", "Enter a subscription identifier, for example GUEST."));
    }
    if identifier.chars().count() > MAX_IDENTIFIER {
        return Err(Error::validation(
            "identifier",
            format!("A subscription identifier has at most {MAX_IDENTIFIER} characters."),
        ));
    }
    if identifier.chars().any(char::is_control) {
        return Err(Error::validation(
            "identifier",
            "A subscription identifier cannot contain control characters.",
        ));
    }
    Ok(identifier)
}

/// Creates (`rule.id` null) or edits an identifier rule of a profile.
pub async fn save_identifier_exclusion(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
    rule: IdentifierExclusionInput,
) -> Result<IdentifierExclusionRule> {
    let identifier = check_identifier(&rule.identifier)?;
    let duplicate = format!(
        "There is already an exclusion rule for the identifier “{identifier}”. Edit that one instead."
    );
    let id = save_rule(
        db,
        clock,
        ExclusionKind::Identifier,
        profile_id,
        rule.id,
        identifier,
        rule.active,
        duplicate,
    )
    .await?;
    let rules = list_exclusion_rules(db, profile_id).await?;
    rules
        .identifier_rules
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| rule_not_found(ExclusionKind::Identifier, id))
}

/// Creates (`rule.id` null) or edits a user rule of a profile.
pub async fn save_user_exclusion(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
    rule: UserExclusionInput,
) -> Result<UserExclusionRule> {
    let pattern = normalize_pattern(&rule.pattern)?;
    let duplicate = format!("There is already an exclusion rule for “{pattern}”. Edit that one instead.");
    let id = save_rule(db, clock, ExclusionKind::User, profile_id, rule.id, &pattern, rule.active, duplicate)
        .await?;
    let rules = list_exclusion_rules(db, profile_id).await?;
    rules.user_rules.into_iter().find(|r| r.id == id).ok_or_else(|| rule_not_found(ExclusionKind::User, id))
}

/// Deletes a rule. The subscriptions it excluded are simply no longer excluded.
pub async fn delete_exclusion_rule(db: &Db, kind: ExclusionKind, id: i64) -> Result<()> {
    let mut tx = db.write().await?;
    let done =
        sqlx::query(&format!("DELETE FROM {} WHERE id = ?", kind.table())).bind(id).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(rule_not_found(kind, id));
    }
    tx.commit().await?;
    Ok(())
}

/// The rule that excludes a subscription (`identifier GUEST`, `user @contractors.example`), or
/// None when no active rule matches it.
pub async fn excluded_by(db: &Db, subscription_id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT excluded_by FROM subscription_exclusions WHERE subscription_id = ?")
        .bind(subscription_id)
        .fetch_optional(db.pool())
        .await?)
}

/// A user rule's pattern as stored: a lower-case email address, or `@domain`.
pub fn normalize_pattern(input: &str) -> Result<String> {
    let pattern = input.trim().to_lowercase();
    if pattern.is_empty() {
        return Err(Error::validation(
            "pattern",
            "Enter an email address (ann@example.com) or a domain (contractors.example).",
        ));
    }
    match pattern.split_once('@') {
        Some(("", domain)) => valid_domain(domain).map(|d| format!("@{d}")),
        Some((local, domain)) => {
            let local_ok = !local.contains('@')
                && local.len() <= 64
                && !local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c));
            if !local_ok || domain.contains('@') {
                return Err(Error::validation(
                    "pattern",
                    format!("“{}” is not a valid email address.", input.trim()),
                ));
            }
            let domain = valid_domain(domain).map_err(|_| {
                Error::validation("pattern", format!("“{}” is not a valid email address.", input.trim()))
            })?;
            Ok(format!("{local}@{domain}"))
        }
        None => valid_domain(&pattern).map(|d| format!("@{d}")),
    }
}

fn valid_domain(domain: &str) -> Result<String> {
    let invalid = || {
        Error::validation(
            "pattern",
            format!(
                "“{domain}” is not a valid domain. Enter a domain such as contractors.example, or an email address."
            ),
        )
    };
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let labels: Vec<&str> = domain.split('.').collect();
    if domain.len() > 253 || labels.len() < 2 {
        return Err(invalid());
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return Err(invalid());
        }
    }
    if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Err(invalid());
    }
    Ok(domain.to_owned())
}

impl ExclusionKind {
    /// The rules' table, and the column holding what a rule matches (and its form field).
    fn table(self) -> &'static str {
        match self {
            ExclusionKind::Identifier => "identifier_exclusion_rules",
            ExclusionKind::User => "user_exclusion_rules",
        }
    }

    fn column(self) -> &'static str {
        match self {
            ExclusionKind::Identifier => "identifier",
            ExclusionKind::User => "pattern",
        }
    }
}

/// Creates (`id` None) or edits a rule of either kind, refusing a second rule for the same
/// `value` with `duplicate` on the form field. Returns the rule's id.
#[allow(clippy::too_many_arguments)]
async fn save_rule(
    db: &Db,
    clock: &dyn Clock,
    kind: ExclusionKind,
    profile_id: i64,
    id: Option<i64>,
    value: &str,
    active: bool,
    duplicate: String,
) -> Result<i64> {
    let (table, column) = (kind.table(), kind.column());
    let now = clock.now();
    let mut tx = db.write().await?;
    crate::profiles::ensure_exists(&mut tx, profile_id).await?;
    let taken: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE profile_id = ? AND {column} = ? AND id IS NOT ?"
    ))
    .bind(profile_id)
    .bind(value)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Err(Error::validation(column, duplicate));
    }
    let id = match id {
        None => {
            sqlx::query_scalar(&format!(
                "INSERT INTO {table} (profile_id, {column}, active, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id"
            ))
            .bind(profile_id)
            .bind(value)
            .bind(active)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        }
        Some(id) => {
            let done = sqlx::query(&format!(
                "UPDATE {table} SET {column} = ?, active = ?, updated_at = ? WHERE id = ? AND profile_id = ?"
            ))
            .bind(value)
            .bind(active)
            .bind(now)
            .bind(id)
            .bind(profile_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(rule_not_found(kind, id));
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

fn rule_not_found(kind: ExclusionKind, id: i64) -> Error {
    let what = match kind {
        ExclusionKind::Identifier => "subscription identifier",
        ExclusionKind::User => "user",
    };
    Error::NotFound(format!("The {what} exclusion rule {id} does not exist (any more). Refresh the list."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_normalized() {
        assert_eq!(normalize_pattern(" Ann@Example.COM ").unwrap(), "ann@example.com");
        assert_eq!(normalize_pattern("contractors.example").unwrap(), "@contractors.example");
        assert_eq!(normalize_pattern("@Contractors.Example.").unwrap(), "@contractors.example");
        assert_eq!(normalize_pattern("@eu.contractors.example").unwrap(), "@eu.contractors.example");
    }

    #[test]
    fn bad_patterns_name_the_field() {
        for bad in [
            "",
            "  ",
            "ann@",
            "ann@example",
            "a b@example.com",
            "a@@example.com",
            "example",
            "-a.example",
            "a..example",
            "@",
            "1.2.3.4",
            "ann@exa_mple.com",
        ] {
            let err = normalize_pattern(bad).unwrap_err();
            assert_eq!(err.field(), Some("pattern"), "{bad}");
        }
    }
}
