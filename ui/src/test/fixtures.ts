import type { ScheduledJob } from "../bindings/jobs";
import type { Connection, Profile, ValidationResult } from "../bindings/profiles";

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
    ...overrides,
  };
}
