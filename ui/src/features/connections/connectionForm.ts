import { z } from "zod";

import type { Connection, ConnectionChoice, ConnectionPreset } from "../../bindings/profiles";
import { apiKeyProblem, connectionUrlProblem, nameProblem } from "../../lib/rules";

/** The Connection URL select's value for "Custom URL…". */
export const CUSTOM_URL = "custom";

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
}

/**
 * @param keyRequired false when a key is already on file (an existing connection, or a new one
 *   entered earlier), which a blank API Key keeps.
 */
export function connectionFormSchema({ keyRequired }: { keyRequired: boolean }) {
  return z
    .object({
      source: z.enum(["new", "existing"]),
      connectionId: z.string().nullable(),
      name: z.string(),
      urlPreset: z.string(),
      url: z.string(),
      apiKey: z.string(),
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
      if (keyRequired || values.apiKey.trim() !== "") problem("apiKey", apiKeyProblem(values.apiKey));
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
  };
  const from = "connection" in start ? start.connection : start.choice?.kind === "new" ? start.choice : undefined;
  if (from) return { ...blank, name: from.name, url: from.url, urlPreset: presetFor(from.url, presets) };
  if ("choice" in start && start.choice?.kind === "existing") {
    return { ...blank, source: "existing", connectionId: String(start.choice.connectionId) };
  }
  return blank;
}

/** The dialog's answer for a new profile. A blank API Key keeps the key of the earlier choice. */
export function toChoice(values: ConnectionFormValues, previous: ConnectionChoice | null): ConnectionChoice {
  if (values.source === "existing") return { kind: "existing", connectionId: Number(values.connectionId) };
  const typed = values.apiKey.trim();
  const apiKey = typed !== "" ? typed : previous?.kind === "new" ? previous.apiKey : "";
  return { kind: "new", name: values.name.trim(), url: values.url.trim(), apiKey };
}
