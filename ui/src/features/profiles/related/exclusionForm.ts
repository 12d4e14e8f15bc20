import { z } from "zod";

import { exclusionIdentifierProblem, userPatternProblem } from "../../../lib/rules";

/** The rule dialogs' fields: `value` is the identifier or the user pattern. */
export interface ExclusionFormValues {
  value: string;
  active: boolean;
}

const schema = (problem: (value: string) => string | null) =>
  z.object({ value: z.string(), active: z.boolean() }).superRefine((values, ctx) => {
    const message = problem(values.value);
    if (message) ctx.addIssue({ code: "custom", path: ["value"], message });
  });

/** Mirrors the core's checks (sync/exclusions.rs); its Validation errors land on the same field. */
export const identifierRuleSchema = schema(exclusionIdentifierProblem);
export const userRuleSchema = schema(userPatternProblem);
