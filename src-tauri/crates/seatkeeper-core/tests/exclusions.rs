//! Subscription exclusion rules: field rules, create / edit / deactivate / delete, and the
//! subscriptions they flag (identifier rules, email and domain rules, only active ones).

use seatkeeper_core::jobs::{self, JobKind, JobStatus, RunContext};
use seatkeeper_core::services::{
    delete_exclusion_rule, delete_profile, list_exclusion_rules, list_subscriptions,
    save_identifier_exclusion, save_user_exclusion,
};
use seatkeeper_core::sync::exclusions::{excluded_by, UserPatternKind};
use seatkeeper_core::sync::{
    no_progress, ExclusionKind, IdentifierExclusionInput, SoftwareSubscription, SyncOptions,
    UserExclusionInput,
};
use seatkeeper_core::ErrorCode;
use seatkeeper_testsupport::{self as support, Org};
use tokio_util::sync::CancellationToken;

/// 200 users, downloaded once.
async fn case() -> Org {
    let case = Org::published(support::sim_config(11, 200, 3)).await;
    let (options, cancel) = (SyncOptions::default(), CancellationToken::new());
    let context = RunContext {
        db: &case.db,
        client: &case.client,
        profile_id: case.profile,
        clock: &*case.clock,
        options: &options,
        progress: &no_progress,
        cancel: &cancel,
    };
    let result = jobs::run(JobKind::Subscriptions, context).await.unwrap();
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    case
}

fn identifier_rule(identifier: &str, active: bool) -> IdentifierExclusionInput {
    IdentifierExclusionInput { id: None, identifier: identifier.into(), active }
}

fn user_rule(pattern: &str, active: bool) -> UserExclusionInput {
    UserExclusionInput { id: None, pattern: pattern.into(), active }
}

fn domain(email: &str) -> String {
    email.split_once('@').unwrap().1.to_lowercase()
}

async fn subscriptions_of(case: &Org) -> Vec<SoftwareSubscription> {
    list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap()
}

#[tokio::test]
async fn rules_flag_the_subscriptions_they_match_while_active() {
    let case = case().await;
    let subs = subscriptions_of(&case).await;
    assert!(subs.iter().all(|s| !s.excluded && s.excluded_by.is_none()));

    // An identifier rule, entered in another case.
    let guest =
        save_identifier_exclusion(&case.db, &*case.clock, case.profile, identifier_rule("guest", true))
            .await
            .unwrap();
    assert!(guest.active);
    let guests = subs.iter().filter(|s| s.identifier == "GUEST").count() as i64;
    assert!(guests > 0);
    assert_eq!(guest.subscription_count, guests);
    let subs = subscriptions_of(&case).await;
    for s in &subs {
        assert_eq!(s.excluded, s.identifier == "GUEST", "{s:?}");
        if s.excluded {
            assert_eq!(s.excluded_by.as_deref(), Some("identifier guest"));
        }
    }

    // A user rule for one address (not a guest), and a domain rule.
    let target = subs.iter().find(|s| s.identifier != "GUEST").unwrap().clone();
    let one = save_user_exclusion(
        &case.db,
        &*case.clock,
        case.profile,
        user_rule(&target.email.to_uppercase(), true),
    )
    .await
    .unwrap();
    assert_eq!(one.kind, UserPatternKind::Email);
    assert_eq!(one.pattern, target.email.to_lowercase());
    assert_eq!(one.subscription_count, 1);
    assert_eq!(excluded_by(&case.db, target.id).await.unwrap(), Some(format!("user {}", one.pattern)));

    let other = subs
        .iter()
        .find(|s| s.identifier != "GUEST" && domain(&s.email) != domain(&target.email))
        .unwrap()
        .clone();
    let d = domain(&other.email);
    let by_domain =
        save_user_exclusion(&case.db, &*case.clock, case.profile, user_rule(&d, true)).await.unwrap();
    assert_eq!(by_domain.kind, UserPatternKind::Domain);
    assert_eq!(by_domain.pattern, format!("@{d}"));
    let subs = subscriptions_of(&case).await;
    for s in &subs {
        let expected = if s.identifier == "GUEST" {
            Some("identifier guest".to_owned())
        } else if s.email.to_lowercase() == target.email.to_lowercase() {
            Some(format!("user {}", one.pattern))
        } else if domain(&s.email) == d {
            Some(format!("user @{d}"))
        } else {
            None
        };
        assert_eq!(s.excluded_by, expected, "{s:?}");
        assert_eq!(s.excluded, expected.is_some());
    }

    // Deactivated: no longer counts. Edited back on: counts again.
    let off = save_identifier_exclusion(
        &case.db,
        &*case.clock,
        case.profile,
        IdentifierExclusionInput { id: Some(guest.id), identifier: "GUEST".into(), active: false },
    )
    .await
    .unwrap();
    assert!(!off.active);
    assert_eq!(off.identifier, "GUEST");
    assert!(subscriptions_of(&case).await.iter().filter(|s| s.identifier == "GUEST").all(|s| {
        s.excluded_by.as_deref() != Some("identifier guest")
            && s.excluded_by.as_deref() != Some("identifier GUEST")
    }));

    // Deleted: gone, and its subscriptions are no longer excluded by it.
    delete_exclusion_rule(&case.db, ExclusionKind::User, by_domain.id).await.unwrap();
    let rules = list_exclusion_rules(&case.db, case.profile).await.unwrap();
    assert_eq!(rules.identifier_rules.len(), 1);
    assert_eq!(rules.user_rules.iter().map(|r| r.id).collect::<Vec<_>>(), vec![one.id]);
    let excluded: Vec<_> = subscriptions_of(&case).await.into_iter().filter(|s| s.excluded).collect();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0].id, target.id);
    let err = delete_exclusion_rule(&case.db, ExclusionKind::User, by_domain.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_domain_rule_covers_subdomains_but_not_lookalikes() {
    let case = case().await;
    let subs = subscriptions_of(&case).await;
    let ids: Vec<i64> = subs.iter().take(4).map(|s| s.id).collect();
    for (id, email) in ids.iter().zip([
        "a@contractors.example",
        "b@eu.contractors.example",
        "c@badcontractors.example",
        "contractors.example@mail.example",
    ]) {
        sqlx::query("UPDATE software_subscriptions SET email = ? WHERE id = ?")
            .bind(email)
            .bind(id)
            .execute(case.db.pool())
            .await
            .unwrap();
    }
    let rule =
        save_user_exclusion(&case.db, &*case.clock, case.profile, user_rule("@contractors.example", true))
            .await
            .unwrap();
    assert_eq!(rule.subscription_count, 2);
    let flagged: Vec<i64> =
        subscriptions_of(&case).await.iter().filter(|s| s.excluded).map(|s| s.id).collect();
    let mut expected = ids[..2].to_vec();
    expected.sort_unstable();
    let mut flagged = flagged;
    flagged.sort_unstable();
    assert_eq!(flagged, expected);
}

#[tokio::test]
async fn field_rules_and_duplicates() {
    let case = case().await;
    let save_id = |r| save_identifier_exclusion(&case.db, &*case.clock, case.profile, r);
    for bad in ["", "   "] {
        let err = save_id(identifier_rule(bad, true)).await.unwrap_err();
        assert_eq!((err.code(), err.field()), (ErrorCode::Validation, Some("identifier")));
    }
    let err = save_id(identifier_rule(&"X".repeat(101), true)).await.unwrap_err();
    assert_eq!(err.field(), Some("identifier"));
    let first = save_id(identifier_rule(" GUEST ", true)).await.unwrap();
    assert_eq!(first.identifier, "GUEST");
    let err = save_id(identifier_rule("Guest", false)).await.unwrap_err();
    assert_eq!(err.field(), Some("identifier"));
    assert!(err.to_string().contains("already"), "{err}");
    // Editing a rule into another's identifier is a duplicate too; editing it in place is not.
    let second = save_id(identifier_rule("CONTRIBUTOR", true)).await.unwrap();
    let err =
        save_id(IdentifierExclusionInput { id: Some(second.id), identifier: "guest".into(), active: true })
            .await
            .unwrap_err();
    assert_eq!(err.field(), Some("identifier"));
    save_id(IdentifierExclusionInput {
        id: Some(second.id),
        identifier: "contributor".into(),
        active: false,
    })
    .await
    .unwrap();
    let err = save_id(IdentifierExclusionInput { id: Some(424242), identifier: "X".into(), active: true })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    let save_user = |r| save_user_exclusion(&case.db, &*case.clock, case.profile, r);
    for bad in
        ["", "ann@", "ann@example", "a b@example.com", "example", "@", "a..example", "ann@@example.com"]
    {
        let err = save_user(user_rule(bad, true)).await.unwrap_err();
        assert_eq!((err.code(), err.field()), (ErrorCode::Validation, Some("pattern")), "{bad}");
    }
    save_user(user_rule("contractors.example", true)).await.unwrap();
    let err = save_user(user_rule("@Contractors.Example", true)).await.unwrap_err();
    assert_eq!(err.field(), Some("pattern"));
    save_user(user_rule("ann@contractors.example", true)).await.unwrap();

    // Rules of an unknown profile; rules go with their profile.
    let err = list_exclusion_rules(&case.db, 999).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let err = save_identifier_exclusion(&case.db, &*case.clock, 999, identifier_rule("GUEST", true))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    delete_profile(&case.db, &case.secrets, case.profile).await.unwrap();
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM identifier_exclusion_rules) + (SELECT count(*) FROM user_exclusion_rules)",
    )
    .fetch_one(case.db.pool())
    .await
    .unwrap();
    assert_eq!(left, 0);
}
