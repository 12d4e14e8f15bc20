import { Badge, Text, Tooltip } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";

import type { Profile } from "../../../bindings/profiles";
import type { ActivitySource, ClosedReason, SoftwareSubscription } from "../../../bindings/sync";
import { DataTable } from "../../../components/DataTable";
import { DateCell, exportName, NotSyncedYet } from "./cells";
import { useSubscriptions } from "./queries";

// TODO(bindings): `excluded`/`excludedBy` come with the regenerated SoftwareSubscription.
type Subscription = SoftwareSubscription;

const SOURCE_LABELS: Record<ActivitySource, string> = { events: "Events", last_login: "Last login" };
const CLOSED_LABELS: Record<ClosedReason, string> = { removed: "removed", deactivated: "deactivated" };

const title = (status: string | null) => (status ? status.charAt(0) + status.slice(1).toLowerCase() : "");
const internal = (s: Subscription) => (s.isInternal === null ? "" : s.isInternal ? "Internal" : "External");

const column = createColumnHelper<Subscription>();

const columns = [
  column.accessor("name", { header: "User", size: 180 }),
  column.accessor("email", { header: "Email", size: 240 }),
  column.accessor("identifier", { header: "Identifier", size: 170, meta: { filter: {} } }),
  column.accessor("modelName", {
    header: "Model",
    size: 180,
    cell: (c) =>
      c.getValue() ?? (
        <Text span size="sm" c="orange">
          Unrecognized
        </Text>
      ),
  }),
  column.accessor("status", {
    header: "Status",
    size: 120,
    cell: (c) => title(c.getValue()),
    meta: { text: (s) => title(s.status), filter: {} },
  }),
  column.accessor(internal, { id: "internal", header: "Internal/External", size: 150, meta: { filter: {} } }),
  column.accessor("lastLogin", { header: "Last login", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
  column.accessor("lastActivityAt", {
    header: "Last activity",
    size: 150,
    cell: (c) => <DateCell value={c.getValue()} />,
  }),
  column.accessor("activitySource", {
    header: "Activity source",
    size: 130,
    cell: (c) => (c.getValue() ? SOURCE_LABELS[c.getValue()!] : "—"),
    meta: { text: (s) => (s.activitySource ? SOURCE_LABELS[s.activitySource] : null), filter: {} },
  }),
  column.accessor("firstSeen", { header: "First seen", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
  column.accessor("lastSeen", { header: "Last seen", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
  column.accessor("closedAt", {
    header: "Closed",
    size: 170,
    cell: (c) => {
      const reason = c.row.original.closedReason;
      return (
        <>
          <DateCell value={c.getValue()} />
          {reason && (
            <Text span size="xs" c="dimmed">
              {" "}
              ({CLOSED_LABELS[reason]})
            </Text>
          )}
        </>
      );
    },
  }),
  column.accessor((s) => s.excluded ?? false, {
    id: "excluded",
    header: "Excluded",
    size: 110,
    meta: { filter: { options: ["Yes", "No"] } },
    cell: (c) =>
      c.getValue() ? (
        <Tooltip label={c.row.original.excludedBy ?? "An exclusion rule"} withArrow>
          <Badge variant="light" color="grape" tabIndex={0} data-testid="excluded-badge">
            Excluded
          </Badge>
        </Tooltip>
      ) : null,
  }),
];

export function SubscriptionsTable({ profile }: { profile: Profile }) {
  const subscriptions = useSubscriptions(profile.id);
  return (
    <DataTable<Subscription>
      label="Software Subscriptions"
      data={subscriptions.data}
      isLoading={subscriptions.isPending}
      error={subscriptions.error}
      onRetry={() => void subscriptions.refetch()}
      columns={columns}
      getRowId={(s) => String(s.id)}
      initialSorting={[{ id: "email", desc: false }]}
      exportName={exportName(profile, "Software Subscriptions")}
      data-testid="subscriptions-table"
      empty={<NotSyncedYet list="Software Subscriptions" profile={profile} />}
    />
  );
}
