import { createColumnHelper } from "@tanstack/react-table";

import type { Profile } from "../../../bindings/profiles";
import type { SoftwareModel } from "../../../bindings/sync";
import { DataTable } from "../../../components/DataTable";
import { Count, DateCell, exportName, NotSyncedYet, YesNoBadge } from "./cells";
import { useModels } from "./queries";

const column = createColumnHelper<SoftwareModel>();

const columns = [
  column.accessor("name", { header: "Name", size: 260 }),
  column.accessor("subscriptionIdentifier", { header: "Identifier", size: 200, meta: { filter: {} } }),
  column.accessor("paid", { header: "Paid", size: 90, cell: (c) => <YesNoBadge value={c.getValue()} />, meta: { filter: {} } }),
  column.accessor("subscriptionCount", { header: "Subscriptions", size: 130, cell: (c) => <Count value={c.getValue()} /> }),
  column.accessor("ruleLastActivityThresholdDays", {
    header: "Last activity threshold",
    size: 190,
    cell: (c) => (c.getValue() === null ? "—" : `${c.getValue()} days`),
  }),
  column.accessor("autoCreated", { header: "Created automatically", size: 180, cell: (c) => <YesNoBadge value={c.getValue()} /> }),
  column.accessor("createdAt", { header: "Created", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
];

export function SoftwareModelsTable({ profile }: { profile: Profile }) {
  const models = useModels(profile.id);
  return (
    <DataTable
      label="Software Models"
      data={models.data}
      isLoading={models.isPending}
      error={models.error}
      onRetry={() => void models.refetch()}
      columns={columns}
      getRowId={(m) => String(m.id)}
      initialSorting={[{ id: "name", desc: false }]}
      exportName={exportName(profile, "Software Models")}
      data-testid="models-table"
      empty={<NotSyncedYet list="Software Models" profile={profile} />}
    />
  );
}
