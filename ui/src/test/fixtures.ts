import type { ScheduledJob } from "../bindings/jobs";
import type { Connection, Profile, ValidationResult } from "../bindings/profiles";
import type {
  ActivitySettings,
  JobResult,
  SoftwareModel,
  SoftwareSubscription,
  UnrecognizedIdentifier,
  UserActivityDetail,
} from "../bindings/sync";
import type { UserExclusionRule } from "../bindings/exclusions";
import type { AuditRecord, Money, ProtectedUser, ReclamationRule, RemovalCandidate } from "../bindings/reclaim";
import type { Entitlement, LicenseUsage, ModelReconciliation, Reconciliation } from "../bindings/reconcile";

/** 60 days back, at the start of that UTC day, as the backend computes it. */
const today = new Date();
export const ACTIVITY_START = new Date(
  Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 60),
).toISOString();

export function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 7,
    name: "Smartsheet US",
    url: "https://api.smartsheet.com/2.0",
    keyLastFour: "1a2b",
    trustedHost: null,
    isDemo: false,
    profileCount: 1,
    ...overrides,
  };
}

export function validation(overrides: Partial<ValidationResult> = {}): ValidationResult {
  return {
    validatedAt: "2026-11-28T09:30:00Z",
    ok: true,
    failure: null,
    message: "Connected to Smartsheet as admin@example.com (System Admin) in Example Corp.",
    ownerUserId: 1234567890123456,
    ownerEmail: "admin@example.com",
    ownerName: "Ada Admin",
    ownerIsAdmin: true,
    organization: "Example Corp",
    eventReporting: true,
    ...overrides,
  };
}

export function job(overrides: Partial<ScheduledJob> = {}): ScheduledJob {
  return {
    id: 1,
    profileId: 1,
    kind: "Subscriptions",
    name: "Refresh Acme Subscriptions",
    schedule: "daily",
    enabled: true,
    active: true,
    nextRunAt: "2026-11-29T02:00:00Z",
    timeOfDay: null,
    lastSucceededAt: null,
    ...overrides,
  };
}

export function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: 1,
    displayName: "Acme",
    status: "Draft",
    profileType: "Smartsheet Subscription",
    connection: connection(),
    downloadSubscriptions: true,
    downloadActivity: true,
    analyzeActivityFrom: ACTIVITY_START,
    reclaimSubscriptions: true,
    createdAt: "2026-11-28T09:00:00Z",
    updatedAt: "2026-11-28T09:00:00Z",
    publishedAt: null,
    lastValidation: null,
    jobs: [],
    lastSyncAt: null,
    ...overrides,
  };
}

export function subscription(
  overrides: Partial<SoftwareSubscription> = {},
): SoftwareSubscription {
  return {
    id: 1,
    profileId: 1,
    userId: "1001",
    email: "ann@example.com",
    name: "Ann Example",
    identifier: "MEMBER",
    modelId: 1,
    modelName: "Smartsheet Member",
    status: "ACTIVE",
    isInternal: true,
    isAdmin: false,
    seatChangedAt: null,
    provisionalExpiresAt: null,
    lastLogin: "2026-11-20T08:00:00Z",
    lastActivityAt: "2026-11-25T10:00:00Z",
    activitySource: "events",
    firstSeen: "2026-11-28T02:00:00Z",
    lastSeen: "2026-11-29T02:00:00Z",
    closedAt: null,
    closedReason: null,
    excluded: false,
    excludedBy: null,
    inactiveDays: 4,
    ...overrides,
  };
}

/** The activity of `subscription()`'s user: three days of events, two kinds. */
export function userActivityDetail(overrides: Partial<UserActivityDetail> = {}): UserActivityDetail {
  return {
    subscription: subscription(),
    since: "2026-09-30T00:00:00Z",
    activitySource: "events",
    daily: [
      { day: "2026-11-20", count: 3 },
      { day: "2026-11-24", count: 12 },
      { day: "2026-11-25", count: 1_250 },
    ],
    kinds: [
      { objectType: "SHEET", action: "LOAD", lastAt: "2026-11-25T10:00:00Z", count: 1_200 },
      { objectType: "UPDATE_REQUEST", action: "CREATE", lastAt: "2026-11-24T09:30:00Z", count: 65 },
    ],
    ...overrides,
  };
}

export function model(overrides: Partial<SoftwareModel> = {}): SoftwareModel {
  return {
    id: 1,
    profileId: 1,
    name: "Smartsheet Member",
    subscriptionIdentifier: "MEMBER",
    paid: true,
    autoCreated: true,
    createdAt: "2026-11-28T02:00:00Z",
    subscriptionCount: 10,
    ruleId: 1,
    ruleLastActivityThresholdDays: 60,
    ruleActive: true,
    ...overrides,
  };
}

export function unrecognized(overrides: Partial<UnrecognizedIdentifier> = {}): UnrecognizedIdentifier {
  return {
    id: 1,
    profileId: 1,
    identifier: "SUPER_MEMBER",
    firstSeen: "2026-11-28T02:00:00Z",
    subscriptionCount: 3,
    ...overrides,
  };
}

export function jobResult(overrides: Partial<JobResult> = {}): JobResult {
  return {
    id: 1,
    jobId: 1,
    jobKind: "Subscriptions",
    number: 1,
    startedAt: "2026-11-29T02:00:00Z",
    finishedAt: "2026-11-29T02:01:00Z",
    status: "succeeded",
    usersRead: 120,
    subscriptionsCreated: 120,
    subscriptionsUpdated: 0,
    subscriptionsClosed: 0,
    eventsRead: 0,
    candidatesReclaimed: 0,
    candidatesCanceled: 0,
    candidatesFailed: 0,
    requests: 3,
    retries: 0,
    warnings: 0,
    warningText: null,
    errorMessage: null,
    ...overrides,
  };
}

export function userRule(overrides: Partial<UserExclusionRule> = {}): UserExclusionRule {
  return {
    id: 1,
    profileId: 1,
    pattern: "@contractors.example",
    kind: "domain",
    active: true,
    subscriptionCount: 0,
    createdAt: "2026-11-29T09:00:00Z",
    updatedAt: "2026-11-29T09:00:00Z",
    ...overrides,
  };
}

/** A profile's activity settings before its first Events run: every user-initiated event counts. */
export function activitySettings(overrides: Partial<ActivitySettings> = {}): ActivitySettings {
  return {
    excludedEventKinds: [],
    activitySource: null,
    eventsFrom: null,
    hasStreamPosition: false,
    lastEventsSyncAt: null,
    ...overrides,
  };
}

/** The paid model's rule, as generated at sync (defaults), with a cost of 25.00 USD per seat and month. */
export function reclamationRule(overrides: Partial<ReclamationRule> = {}): ReclamationRule {
  return {
    id: 1,
    profileId: 1,
    modelId: 1,
    modelName: "Smartsheet Member",
    paid: true,
    subscriptionCount: 10,
    openCandidates: 0,
    lastActivityThresholdDays: 60,
    gracePeriodDays: 30,
    active: true,
    notifyUser: false,
    daysBeforeAutoReclamation: 14,
    autoReclaim: false,
    reclaimAction: "freeSeat",
    monthlyCost: { currency: "USD", minor: 2500, exponent: 2 },
    currency: "USD",
    updatedAt: null,
    ...overrides,
  };
}

export function removalCandidate(overrides: Partial<RemovalCandidate> = {}): RemovalCandidate {
  return {
    id: 1,
    profileId: 1,
    profileName: "Acme",
    subscriptionId: 1,
    modelId: 1,
    modelName: "Smartsheet Member",
    userId: 1001,
    email: "ann@example.com",
    name: "Ann Example",
    identifier: "MEMBER",
    isInternal: true,
    justification: "lowUsage",
    lastActivityAt: "2026-08-01T00:00:00Z",
    activitySource: "lastLogin",
    inactiveDays: 122,
    state: "ready",
    openedAt: "2026-11-29T02:05:00Z",
    updatedAt: "2026-11-29T02:05:00Z",
    closedAt: null,
    notifiedAt: null,
    answeredAt: null,
    approvedAt: null,
    approvedBy: null,
    note: null,
    notifyUser: false,
    monthlySavings: null,
    yearlySavings: null,
    ...overrides,
  };
}

/**
 * `count` candidates of profile 1's paid model: "User 00000" (user0@example.com) is the most
 * inactive, and each next one a day less.
 */
export function manyCandidates(count: number, overrides: Partial<RemovalCandidate> = {}): RemovalCandidate[] {
  return Array.from({ length: count }, (_, i) =>
    removalCandidate({
      id: i + 1,
      subscriptionId: i + 1,
      userId: 10_000 + i,
      email: `user${i}@example.com`,
      name: `User ${String(i).padStart(5, "0")}`,
      inactiveDays: 60 + count - i,
      ...overrides,
    }),
  );
}

export function protectedUser(overrides: Partial<ProtectedUser> = {}): ProtectedUser {
  return {
    id: 1,
    profileId: 1,
    pattern: "ceo@example.com",
    note: "CEO",
    createdAt: "2026-11-29T09:00:00Z",
    subscriptionCount: 1,
    ...overrides,
  };
}

/** A downgrade Seatkeeper made and Smartsheet carried out: MEMBER → CONTRIBUTOR, Undo possible. */
export function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: 1,
    profileId: 1,
    profileName: "Acme",
    requestedAt: "2026-12-01T09:00:00Z",
    userId: 1001,
    email: "ann@example.com",
    name: "Ann Example",
    action: "downgrade",
    seatBefore: "MEMBER",
    seatAfter: "CONTRIBUTOR",
    request: 'POST /users/1001/plans/7/downgrade {"seatType":"CONTRIBUTOR"}',
    confirmedBy: "tester",
    candidateId: 1,
    undoOf: null,
    undoneBy: null,
    jobResultId: 5,
    outcome: "succeeded",
    finishedAt: "2026-12-01T09:00:02Z",
    errorCode: null,
    message: null,
    refId: null,
    undoBlocked: null,
    ...overrides,
  };
}

/** US dollars, in cents. */
export function usd(minor: number): Money {
  return { currency: "USD", minor, exponent: 2 };
}

/** 100 Smartsheet Member rights at 25.00 USD per seat and month, for 2026: In use. */
export function entitlement(overrides: Partial<Entitlement> = {}): Entitlement {
  return {
    id: 1,
    profileId: 1,
    modelId: 1,
    modelName: "Smartsheet Member",
    displayName: "Smartsheet Business 2026",
    purchasedRights: 100,
    unitCost: usd(2500),
    rate: null,
    reportingCurrency: "USD",
    billingPeriod: "monthly",
    termStart: "2026-01-01",
    termEnd: "2026-12-31",
    licenseMetric: "userSubscription",
    notes: null,
    state: "inUse",
    totalCost: usd(250_000),
    createdAt: "2026-11-29T09:00:00Z",
    updatedAt: "2026-11-29T09:00:00Z",
    ...overrides,
  };
}

/**
 * The paid model, Not Compliant: 120 seats used (and 2 excluded) for 100 owned at 25.00 USD a
 * month, so 20 rights to buy (6,000.00 USD a year); 12 open candidates (3,600.00 USD a year) and 3
 * seats reclaimed (900.00 USD a year).
 */
export function modelReconciliation(overrides: Partial<ModelReconciliation> = {}): ModelReconciliation {
  return {
    modelId: 1,
    model: "Smartsheet Member",
    identifier: "MEMBER",
    paid: true,
    entitlements: 1,
    owned: 100,
    used: 120,
    excluded: 2,
    active: 90,
    inactive: 30,
    compliance: "notCompliant",
    overLicensed: 0,
    rightsNeeded: 20,
    openCandidates: 12,
    reclaimed: 3,
    unitMonthly: usd(2500),
    trueUpCost: usd(600_000),
    overLicensedCost: usd(0),
    potentialSavings: usd(360_000),
    actualSavings: usd(90_000),
    ...overrides,
  };
}

/** The free model: 15 seats, no entitlement, no cost, Compliant. */
export function freeModelReconciliation(overrides: Partial<ModelReconciliation> = {}): ModelReconciliation {
  return modelReconciliation({
    modelId: 2,
    model: "Smartsheet Provisional Member",
    identifier: "PROVISIONAL_MEMBER",
    paid: false,
    entitlements: 0,
    owned: 0,
    used: 15,
    excluded: 0,
    active: 5,
    inactive: 10,
    compliance: "compliant",
    overLicensed: 0,
    rightsNeeded: 0,
    openCandidates: 0,
    reclaimed: 0,
    unitMonthly: null,
    trueUpCost: null,
    overLicensedCost: null,
    potentialSavings: null,
    actualSavings: null,
    ...overrides,
  });
}

export function reconciliation(overrides: Partial<Reconciliation> = {}): Reconciliation {
  return {
    runId: 1,
    profileId: 1,
    runAt: "2026-11-30T02:05:00Z",
    trigger: "refresh",
    models: [modelReconciliation(), freeModelReconciliation()],
    ...overrides,
  };
}

/**
 * Acme's License Usage: the two models above, their totals over the paid one, users by last
 * activity, and one reconciliation (not enough history for a line yet).
 */
export function licenseUsage(overrides: Partial<LicenseUsage> = {}): LicenseUsage {
  return {
    profileId: 1,
    computedAt: "2026-12-01T09:00:00Z",
    hasData: true,
    totals: {
      paidSeats: 122,
      owned: 100,
      active: 90,
      inactive: 30,
      excluded: 2,
      openCandidates: 12,
      notCompliant: 1,
      potentialMonthly: [usd(30_000)],
      potentialYearly: [usd(360_000)],
      actualMonthly: [usd(7_500)],
      actualYearly: [usd(90_000)],
      trueUpYearly: [usd(600_000)],
      seatsWithoutCost: 0,
    },
    models: [modelReconciliation(), freeModelReconciliation()],
    lastActivity: [
      { label: "0–30 days", fromDays: 0, toDays: 30, users: 80 },
      { label: "30–60 days", fromDays: 30, toDays: 60, users: 10 },
      { label: "60–90 days", fromDays: 60, toDays: 90, users: 12 },
      { label: "90–120 days", fromDays: 90, toDays: 120, users: 8 },
      { label: "120+ days", fromDays: 120, toDays: null, users: 6 },
      { label: "Never", fromDays: null, toDays: null, users: 4 },
    ],
    dailyActive: [],
    history: [reconciliation()],
    ...overrides,
  };
}
