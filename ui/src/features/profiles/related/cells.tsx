import { Badge } from "@mantine/core";
import { IconDatabaseOff } from "@tabler/icons-react";

import type { Profile } from "../../../bindings/profiles";
import { EmptyState } from "../../../components/EmptyState";
import { Dimmed } from "../../../components/TwoLines";
import { formatDateTime } from "../../../lib/dates";

/** An empty cell's dash, dimmed. */
export function NoValue() {
  return <Dimmed>—</Dimmed>;
}

/** A date and time from the backend, or a dash. */
export function DateCell({ value }: { value: string | null | undefined }) {
  return value ? <>{formatDateTime(value)}</> : <NoValue />;
}

export function YesNoBadge({ value, yes = "teal" }: { value: boolean | null | undefined; yes?: string }) {
  if (value === null || value === undefined) return <NoValue />;
  return (
    <Badge variant="light" color={value ? yes : "gray"}>
      {value ? "Yes" : "No"}
    </Badge>
  );
}

const COUNT = new Intl.NumberFormat("en-US");

/** A number, right-aligned with its neighbours. */
export function Count({ value }: { value: number | null | undefined }) {
  return value === null || value === undefined ? <NoValue /> : <>{COUNT.format(value)}</>;
}

/** The file name (without .csv) of a related list's export. */
export function exportName(profile: Profile, list: string): string {
  return `${profile.displayName} - ${list}`;
}

/** Lists that only a refresh fills: empty until the first one. */
export function NotSyncedYet({ list, profile }: { list: string; profile: Profile }) {
  return (
    <EmptyState icon={<IconDatabaseOff size={26} />} title={`No ${list} yet`} data-testid="related-list-empty">
      Available after the first refresh of {profile.displayName} Subscriptions.{" "}
      {profile.status === "Draft"
        ? "Validate the connection and publish the profile to schedule it."
        : "It runs daily; Run now on Scheduled Jobs starts one at once."}
    </EmptyState>
  );
}
