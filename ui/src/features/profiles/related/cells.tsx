import { Badge, Text } from "@mantine/core";
import { IconDatabaseOff } from "@tabler/icons-react";

import type { Profile } from "../../../bindings/profiles";
import { EmptyState } from "../../../components/EmptyState";
import { formatDateTime } from "../../../lib/dates";

/** A date and time from the backend, or a dash. */
export function DateCell({ value }: { value: string | null | undefined }) {
  return value ? <>{formatDateTime(value)}</> : <Text span c="dimmed" size="sm">—</Text>;
}

export function YesNoBadge({ value, yes = "teal" }: { value: boolean | null | undefined; yes?: string }) {
  if (value === null || value === undefined) return <Text span c="dimmed" size="sm">—</Text>;
  return (
    <Badge variant="light" color={value ? yes : "gray"}>
      {value ? "Yes" : "No"}
    </Badge>
  );
}

/** A number, right-aligned with its neighbours. */
export function Count({ value }: { value: number | null | undefined }) {
  return value === null || value === undefined ? <Text span c="dimmed" size="sm">—</Text> : <>{value.toLocaleString("en-US")}</>;
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
