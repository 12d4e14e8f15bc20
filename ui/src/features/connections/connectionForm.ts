import { z } from "zod";

import type { Connection, ConnectionChoice, ConnectionPreset, ConnectionUpdate } from "../../bindings/profiles";
import { apiKeyProblem, connectionUrlProblem, hostNeedingConfirmation, keyOrigin, nameProblem } from "../../lib/rules";

/** The Connection URL select's value for "Custom URL…". */
export const CUSTOM_URL = "custom";

/** Why a blank API Key is refused when the Connection URL moved to another origin. */
export const KEY_FOR_NEW_ADDRESS = "The Connection URL points at a new address: enter the API key again.";

/**
 * The dialog's fields. `url` is the Connection URL that will be saved: the chosen preset's, or the
 * custom one typed in. Backend field errors (`name`, `url`, `apiKey`) land on the same names.
 */
export interface ConnectionFormValues {
  source: "new" | "existing";
  connectionId: string | null;
  name: string;
  urlPreset: string;
  url: string;
  apiKey: string;
  /**
   * The host that the admin confirmed the API key may be sent to (the warning's checkbox). It
   * confirms only that host: a Connection URL on another host needs its own confirmation.
   */
  trustedHost: string | null;
}

/**
 * The host of a Connection URL that the admin must confirm before the key may go there, or null
 * (Smartsheet's hosts, loopback, or a URL that is not acceptable anyway, which the URL field says).
 */
export function hostToConfirm(url: string): string | null {
  return connectionUrlProblem(url) === null ? hostNeedingConfirmation(url) : null;
}

/** The confirmed host to send with the connection: only when the URL needs it and it is this one. */
function confirmedHost(values: ConnectionFormValues): string | null {
  const host = hostToConfirm(values.url);
  return host !== null && values.trustedHost === host ? host : null;
}

/**
 * Whether the key on file (entered for `keyUrl`) cannot be used with `url`: the URL moved to
 * another origin (scheme, host or port), so the key must be entered again.
 */
export function keyNeedsReentry(url: string, keyUrl: string | null): boolean {
  if (keyUrl === null) return false;
  const origin = keyOrigin(url);
  return origin !== null && origin !== keyOrigin(keyUrl);
}

/**
 * @param keyUrl the Connection URL that the key already on file was entered for (an existing
 *   connection, or a new one entered earlier), or null when there is none. A blank API Key keeps
 *   that key while the URL stays on its origin.
 */
export function connectionFormSchema({ keyUrl }: { keyUrl: string | null }) {
  return z
    .object({
      source: z.enum(["new", "existing"]),
      connectionId: z.string().nullable(),
      name: z.string(),
      urlPreset: z.string(),
      url: z.string(),
      apiKey: z.string(),
      trustedHost: z.string().nullable(),
    })
    .superRefine((values, ctx) => {
      const problem = (path: keyof ConnectionFormValues, message: string | null) => {
        if (message) ctx.addIssue({ code: "custom", path: [path], message });
      };
      if (values.source === "existing") {
        problem("connectionId", values.connectionId ? null : "Choose the connection to use.");
        return;
      }
      problem("name", nameProblem("Name", "connection", values.name));
      problem("url", connectionUrlProblem(values.url));
      const host = hostToConfirm(values.url);
      if (host !== null && values.trustedHost !== host) {
        problem(
          "trustedHost",
          `Confirm that your API key may be sent to ${host}, or choose your region's Connection URL.`,
        );
      }
      if (values.apiKey.trim() !== "" || keyUrl === null) problem("apiKey", apiKeyProblem(values.apiKey));
      else if (keyNeedsReentry(values.url, keyUrl)) problem("apiKey", KEY_FOR_NEW_ADDRESS);
    });
}

/** Which preset a URL is, or CUSTOM_URL. */
function presetFor(url: string, presets: readonly ConnectionPreset[]): string {
  return presets.some((p) => p.url === url) ? url : CUSTOM_URL;
}

export function initialValues(
  start: { choice: ConnectionChoice | null } | { connection: Connection },
  presets: readonly ConnectionPreset[],
): ConnectionFormValues {
  const blank: ConnectionFormValues = {
    source: "new",
    connectionId: null,
    name: "",
    urlPreset: presets[0]?.url ?? CUSTOM_URL,
    url: presets[0]?.url ?? "",
    apiKey: "",
    trustedHost: null,
  };
  const from = "connection" in start ? start.connection : start.choice?.kind === "new" ? start.choice : undefined;
  if (from) {
    return {
      ...blank,
      name: from.name,
      url: from.url,
      urlPreset: presetFor(from.url, presets),
      trustedHost: from.trustedHost?.toLowerCase() ?? null,
    };
  }
  if ("choice" in start && start.choice?.kind === "existing") {
    return { ...blank, source: "existing", connectionId: String(start.choice.connectionId) };
  }
  return blank;
}

/**
 * The dialog's answer for a new profile. A blank API Key keeps the key of the earlier choice, but
 * only while the Connection URL stays on the origin that key was entered for.
 */
export function toChoice(values: ConnectionFormValues, previous: ConnectionChoice | null): ConnectionChoice {
  if (values.source === "existing") return { kind: "existing", connectionId: Number(values.connectionId) };
  const url = values.url.trim();
  const typed = values.apiKey.trim();
  const earlier = previous?.kind === "new" ? previous : null;
  const origin = keyOrigin(url);
  const reusable = earlier !== null && origin !== null && origin === keyOrigin(earlier.url) ? earlier.apiKey : "";
  const trustedHost = confirmedHost(values);
  return {
    kind: "new",
    name: values.name.trim(),
    url,
    apiKey: typed !== "" ? typed : reusable,
    ...(trustedHost !== null && { trustedHost }),
  };
}

/** The dialog's changes to a saved connection. A blank API Key keeps the current key. */
export function toUpdate(values: ConnectionFormValues): ConnectionUpdate {
  const apiKey = values.apiKey.trim();
  const trustedHost = confirmedHost(values);
  return {
    name: values.name.trim(),
    url: values.url.trim(),
    ...(apiKey !== "" && { apiKey }),
    ...(trustedHost !== null && { trustedHost }),
  };
}
