import type { ScheduledJob } from "../bindings/jobs";
import type { Connection, Profile, ValidationResult } from "../bindings/profiles";
import type { ActivitySettings, JobResult, SoftwareModel, SoftwareSubscription, UnrecognizedIdentifier } from "../bindings/sync";
import type { UserExclusionRule } from "../bindings/exclusions";
import type { AuditRecord, ProtectedUser, ReclamationRule, RemovalCandidate } from "../bindings/reclaim";

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
    nextRunAt: "2026-11-29T02:00:00Z",
    timeOfDay: null,
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
