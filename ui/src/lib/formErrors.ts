import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

import { IpcError } from "./ipc";

/**
 * Shows a backend `Validation` error on the form field it names. `fields` maps the backend's field
 * names (e.g. `displayName`, `apiKey`) to this form's fields. Returns false when the error is not
 * for a field of this form; the caller then shows it as an alert.
 */
export function applyFieldError<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: Readonly<Record<string, Path<T>>>,
): boolean {
  if (!(error instanceof IpcError) || error.code !== "Validation" || error.field === null) return false;
  const target = fields[error.field];
  if (target === undefined) return false;
  setError(target, { type: "server", message: error.message }, { shouldFocus: true });
  return true;
}
