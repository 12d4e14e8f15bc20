import dayjs from "dayjs";
import { z } from "zod";

import type { ConnectionChoice, Profile, ProfileInput } from "../../bindings/profiles";
import { formatDateTime, fromPickerValue, toPickerValue } from "../../lib/dates";
import { nameProblem } from "../../lib/rules";

export interface ProfileFormValues {
  displayName: string;
  downloadActivity: boolean;
  /** Local date-time picker value. */
  analyzeActivityFrom: string;
  reclaimSubscriptions: boolean;
  /**
   * New profiles only, and optional: set through the Connection & Credential dialog and saved with
   * the profile, or left for after saving (the procedure's order).
   */
  connection: ConnectionChoice | null;
}

export interface ProfileFormRules {
  /** The earliest allowed "Analyze user activity from" (the backend's default_activity_start). */
  earliest: string;
  /** The value the form started with. Left unchanged it is always accepted, and not sent. */
  initialAnalyzeFrom: string;
  now?: () => Date;
}

/** Backend field errors that belong to this form, and the field each is shown on. */
export const PROFILE_FORM_FIELDS = {
  displayName: "displayName",
  analyzeActivityFrom: "analyzeActivityFrom",
  name: "connection",
  url: "connection",
  apiKey: "connection",
  connectionId: "connection",
} as const;

const LOOKBACK_DAYS = 60;

function analyzeFromProblem(values: ProfileFormValues, rules: ProfileFormRules): string | null {
  if (!values.downloadActivity || values.analyzeActivityFrom === rules.initialAnalyzeFrom) return null;
  if (values.analyzeActivityFrom === "") return "Choose the date and time from which to analyze user activity.";
  const from = dayjs(values.analyzeActivityFrom);
  const earliest = dayjs(rules.earliest);
  if (from.isAfter(dayjs(rules.now?.() ?? new Date()))) {
    return `“Analyze user activity from” cannot be in the future. Choose a time between ${formatDateTime(rules.earliest)} and now.`;
  }
  if (from.isBefore(earliest)) {
    return `“Analyze user activity from” can go back at most ${LOOKBACK_DAYS} days. Choose ${formatDateTime(rules.earliest)} or later.`;
  }
  return null;
}

export function profileFormSchema(rules: ProfileFormRules) {
  return z
    .object({
      displayName: z.string(),
      downloadActivity: z.boolean(),
      analyzeActivityFrom: z.string(),
      reclaimSubscriptions: z.boolean(),
      connection: z.custom<ConnectionChoice>().nullable(),
    })
    .superRefine((values, ctx) => {
      const problem = (path: keyof ProfileFormValues, message: string | null) => {
        if (message) ctx.addIssue({ code: "custom", path: [path], message });
      };
      problem("displayName", nameProblem("Display Name", "profile", values.displayName));
      problem("analyzeActivityFrom", analyzeFromProblem(values, rules));
    });
}

export function newProfileValues(defaultActivityStart: string): ProfileFormValues {
  return {
    displayName: "",
    downloadActivity: true,
    analyzeActivityFrom: toPickerValue(defaultActivityStart),
    reclaimSubscriptions: true,
    connection: null,
  };
}

export function profileValues(profile: Profile): ProfileFormValues {
  return {
    displayName: profile.displayName,
    downloadActivity: profile.downloadActivity,
    analyzeActivityFrom: toPickerValue(profile.analyzeActivityFrom),
    reclaimSubscriptions: profile.reclaimSubscriptions,
    connection: null,
  };
}

/** The form as the backend takes it. The activity start is sent only when it was changed. */
export function toProfileInput(values: ProfileFormValues, initialAnalyzeFrom: string): ProfileInput {
  const changed = values.downloadActivity && values.analyzeActivityFrom !== initialAnalyzeFrom;
  return {
    displayName: values.displayName.trim(),
    downloadActivity: values.downloadActivity,
    analyzeActivityFrom: changed ? fromPickerValue(values.analyzeActivityFrom) : null,
    reclaimSubscriptions: values.reclaimSubscriptions,
  };
}
