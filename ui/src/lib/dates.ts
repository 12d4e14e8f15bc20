import dayjs from "dayjs";

/** Mantine's date pickers work in local time strings of this form. */
const PICKER_FORMAT = "YYYY-MM-DD HH:mm:ss";

/** An RFC 3339 instant from the backend as a local picker value. */
export function toPickerValue(rfc3339: string): string {
  return dayjs(rfc3339).format(PICKER_FORMAT);
}

/** A local picker value as an RFC 3339 instant (UTC) for the backend. */
export function fromPickerValue(value: string): string {
  return dayjs(value).toISOString();
}

/** A date and time for people: "2026-11-29 14:05", in local time. */
export function formatDateTime(value: string | Date): string {
  return dayjs(value).format("YYYY-MM-DD HH:mm");
}
