// Field rules that the core checks (seatkeeper-core: connections.rs, profiles.rs, token.rs),
// mirrored here so that the form can say what's wrong before anything is sent. The core stays the
// authority: its Validation errors are shown on the same fields. rules.cases.json holds cases that
// both this file's tests and the core's (src/rules_contract.rs) run, so the two cannot drift.

const MAX_NAME_LENGTH = 100;

/** Characters the core refuses in names: line breaks, tabs and other control characters. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a required single-line name is not acceptable, or null when it is. */
export function nameProblem(label: string, what: string, value: string): string | null {
  const name = value.trim();
  if (name === "") return `Enter a ${label} for the ${what}.`;
  if (CONTROL_CHARACTERS.test(name)) {
    return `The ${label} cannot contain line breaks, tabs or other control characters.`;
  }
  const length = [...name].length;
  if (length > MAX_NAME_LENGTH) {
    return `The ${label} can be at most ${MAX_NAME_LENGTH} characters long (this one has ${length}).`;
  }
  return null;
}

const US_URL = "https://api.smartsheet.com/2.0";

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why a Connection URL is not acceptable, or null when it is: https only, except plain http for a
 * simulator on this computer (loopback).
 */
export function connectionUrlProblem(value: string): string | null {
  const text = value.trim();
  if (text === "") return `Enter the Connection URL of your Smartsheet region, for example ${US_URL} (US).`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `The Connection URL is not a valid web address. Use the API address of your Smartsheet region, for example ${US_URL}`;
  }
  if (url.hostname === "") return "The Connection URL has no host name. Use for example https://api.smartsheet.com/2.0";
  if (!(url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname)))) {
    return "The Connection URL must start with https:// (plain http:// is only allowed for a simulator on this computer).";
  }
  if (url.username !== "" || url.password !== "") {
    return "The Connection URL must not contain a user name or password. Enter the API key in the API Key field.";
  }
  if (url.search !== "" || url.hash !== "" || text.includes("?") || text.includes("#")) {
    return "The Connection URL must not contain '?' or '#'. Use only the API address, for example https://api.smartsheet.com/2.0";
  }
  return null;
}

/** Smartsheet's API hosts, one per region (the core's connection presets). */
export const SMARTSHEET_HOSTS: readonly string[] = [
  "api.smartsheet.com",
  "api.smartsheetgov.com",
  "api.smartsheet.eu",
  "api.smartsheet.au",
];

function parseUrl(value: string): URL | null {
  try {
    return new URL(value.trim());
  } catch {
    return null;
  }
}

/**
 * The host of a Connection URL that is neither one of Smartsheet's API hosts nor loopback, so that
 * sending the API key there needs the admin's confirmation: lower-cased, without the port. Null
 * for Smartsheet's hosts, loopback, and a URL that does not parse (connectionUrlProblem says why).
 * Mirrors the core's `host_needing_confirmation` (connections.rs).
 */
export function hostNeedingConfirmation(value: string): string | null {
  const url = parseUrl(value);
  if (url === null || url.hostname === "") return null;
  const host = url.hostname.toLowerCase();
  if (isLoopback(host) || SMARTSHEET_HOSTS.includes(host)) return null;
  return host;
}

/**
 * The origin an API key is bound to: `scheme://host[:port]` of a Connection URL (no default
 * port), e.g. https://api.smartsheet.com or http://127.0.0.1:8082; null when the URL does not
 * parse. The core sends a stored key only to the origin it was entered for.
 */
export function keyOrigin(value: string): string | null {
  const url = parseUrl(value);
  if (url === null || url.origin === "null") return null;
  return url.origin;
}

/** Why a pasted API key is not acceptable, or null when it is (an empty key is checked apart). */
export function apiKeyProblem(value: string): string | null {
  const key = value.trim();
  if (key === "")
    return "Enter the API Key: the API access token you generated in Smartsheet (Apps & Integrations > API Access).";
  if (!/^[\x21-\x7e]+$/.test(key)) {
    return "The API token contains spaces, line breaks or other characters that a Smartsheet token never has. Copy it again from Smartsheet and paste only the token.";
  }
  return null;
}

/** The core shows the last four characters of keys at least this long, and nothing of shorter ones. */
const MIN_KEY_LENGTH_FOR_HINT = 16;

/** The last four characters the core will show for a key as typed. */
export function keyLastFour(apiKey: string): string | null {
  const key = apiKey.trim();
  return key.length >= MIN_KEY_LENGTH_FOR_HINT ? key.slice(-4) : null;
}

/** A key as shown on screen: "•••• 1a2b", never more. */
export function maskedKey(lastFour: string | null): string {
  return lastFour ? `•••• ${lastFour}` : "••••••••";
}

// Exclusion rules (seatkeeper-core sync/exclusions.rs).

const MAX_IDENTIFIER_LENGTH = 100;

/** Why a Subscription Identifier Exclusion Rule's identifier is not acceptable, or null. */
export function exclusionIdentifierProblem(value: string): string | null {
  const identifier = value.trim();
  if (identifier === "") return "Enter a subscription identifier, for example GUEST.";
  if ([...identifier].length > MAX_IDENTIFIER_LENGTH) {
    return `A subscription identifier has at most ${MAX_IDENTIFIER_LENGTH} characters.`;
  }
  if (/\p{Cc}/u.test(identifier)) return "A subscription identifier cannot contain control characters.";
  return null;
}

/** Length in UTF-8 bytes, as Rust's `str::len` counts. */
const byteLength = (text: string) => new TextEncoder().encode(text).length;

function domainProblem(domain: string): string | null {
  const invalid = `“${domain}” is not a valid domain. Enter a domain such as contractors.example, or an email address.`;
  const bare = domain.endsWith(".") ? domain.slice(0, -1) : domain;
  const labels = bare.split(".");
  if (byteLength(bare) > 253 || labels.length < 2) return invalid;
  const labelOk = (label: string) =>
    label !== "" &&
    byteLength(label) <= 63 &&
    !label.startsWith("-") &&
    !label.endsWith("-") &&
    /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}-]+$/u.test(label);
  if (!labels.every(labelOk)) return invalid;
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return invalid;
  return null;
}

/**
 * Why a Subscription User Exclusion Rule's pattern is not acceptable, or null: an email address
 * (ann@example.com) or a domain, with or without a leading @ (contractors.example).
 */
export function userPatternProblem(value: string): string | null {
  const pattern = value.trim().toLowerCase();
  if (pattern === "") return "Enter an email address (ann@example.com) or a domain (contractors.example).";
  const at = pattern.indexOf("@");
  if (at === -1) return domainProblem(pattern);
  const local = pattern.slice(0, at);
  const domain = pattern.slice(at + 1);
  if (local === "") return domainProblem(domain);
  const badEmail = `“${value.trim()}” is not a valid email address.`;
  const localOk = byteLength(local) <= 64 && !/[\s\p{Cc}<>()[\],;:"\\]/u.test(local);
  if (!localOk || domain.includes("@")) return badEmail;
  return domainProblem(domain) === null ? null : badEmail;
}
