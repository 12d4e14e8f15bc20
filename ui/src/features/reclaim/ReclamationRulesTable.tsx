import { Anchor, Button, Modal, Text } from "@mantine/core";
import { IconPencil } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";

import type { Profile } from "../../bindings/profiles";
import type { ReclamationRule } from "../../bindings/reclaim";
import { DataTable } from "../../components/DataTable";
import { notifySuccess } from "../../components/notify";
import { Count, exportName, NotSyncedYet, YesNoBadge } from "../profiles/related/cells";
import { ACTION_LABELS, formatMoney, plainAmount } from "./format";
import { useReclamationRules, useUpdateRule } from "./queries";
import { RuleForm } from "./RuleForm";

const LIST = "Reclamation Rules";

/** A profile's reclamation rules, one per software model; Edit opens the rule's form. */
export function ReclamationRulesTable({ profile }: { profile: Profile }) {
  const rules = useReclamationRules(profile.id);
  const update = useUpdateRule(profile.id);
  const [editing, setEditing] = useState<ReclamationRule | null>(null);

  const columns = useMemo(() => {
    const column = createColumnHelper<ReclamationRule>();
    return [
      column.accessor("modelName", {
        header: "Software model",
        size: 190,
        // The rule opens from its model's name as well, for when Edit is scrolled out of view.
        cell: (c) => (
          <Anchor component="button" type="button" size="sm" onClick={() => setEditing(c.row.original)}>
            {c.getValue()}
          </Anchor>
        ),
      }),
      column.accessor("paid", { header: "Paid", size: 80, cell: (c) => <YesNoBadge value={c.getValue()} /> }),
      column.accessor("active", { header: "Active", size: 90, cell: (c) => <YesNoBadge value={c.getValue()} /> }),
      column.accessor("lastActivityThresholdDays", { header: "Last activity threshold (days)", size: 120 }),
      column.accessor("gracePeriodDays", { header: "Grace period (days)", size: 100 }),
      column.accessor("notifyUser", { header: "Notify user", size: 90, cell: (c) => <YesNoBadge value={c.getValue()} /> }),
      column.accessor("daysBeforeAutoReclamation", { header: "Days before auto-reclamation", size: 130 }),
      column.accessor("reclaimAction", {
        header: "Reclaim action",
        size: 175,
        meta: { text: (r) => ACTION_LABELS[r.reclaimAction] },
        cell: (c) => ACTION_LABELS[c.getValue()],
      }),
      column.accessor((r) => r.monthlyCost?.minor ?? null, {
        id: "monthlyCost",
        header: "Cost per seat per month",
        size: 120,
        meta: { text: (r) => (r.monthlyCost ? `${plainAmount(r.monthlyCost)} ${r.monthlyCost.currency}` : "") },
        cell: (c) =>
          c.row.original.monthlyCost ? (
            formatMoney(c.row.original.monthlyCost)
          ) : (
            <Text span size="sm" c="dimmed">
              Not set
            </Text>
          ),
      }),
      column.accessor("openCandidates", {
        header: "Open candidates",
        size: 110,
        cell: (c) =>
          c.row.original.paid ? (
            <Count value={c.getValue()} />
          ) : (
            <Text span size="sm" c="dimmed" title="Only paid seats become removal candidates.">
              None: not paid
            </Text>
          ),
      }),
      column.display({
        id: "actions",
        header: "Actions",
        size: 100,
        cell: (c) => (
          <Button
            size="compact-sm"
            variant="subtle"
            leftSection={<IconPencil size={14} aria-hidden />}
            onClick={() => setEditing(c.row.original)}
            aria-label={`Edit the rule of ${c.row.original.modelName}`}
          >
            Edit
          </Button>
        ),
      }),
    ];
  }, []);

  return (
    <>
      <DataTable<ReclamationRule>
        label={LIST}
        data={rules.data}
        isLoading={rules.isPending}
        error={rules.error}
        onRetry={() => void rules.refetch()}
        columns={columns}
        getRowId={(r) => String(r.id)}
        exportName={exportName(profile, LIST)}
        maxHeight={360}
        onRowActivate={setEditing}
        data-testid={`rules-table-${profile.id}`}
        empty={<NotSyncedYet list={LIST} profile={profile} />}
      />
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing ? `Reclamation Rule: ${editing.modelName}` : ""}
        size="lg"
      >
        {editing && (
          <RuleForm
            rule={editing}
            save={(input) => update.mutateAsync({ ruleId: editing.id, input })}
            onSaved={(saved) => {
              notifySuccess("Rule saved", `The reclamation rule of ${saved.modelName} is saved.`);
              setEditing(null);
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </>
  );
}
