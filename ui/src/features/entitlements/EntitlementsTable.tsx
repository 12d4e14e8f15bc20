import { Anchor, Badge, Button, Checkbox, Group, List, Modal, Stack, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconCertificate, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";

import type { Profile } from "../../bindings/profiles";
import type { Entitlement } from "../../bindings/reconcile";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { notifyError, notifySuccess } from "../../components/notify";
import { Count, exportName, NotSyncedYet } from "../profiles/related/cells";
import { useModels } from "../profiles/related/queries";
import { EntitlementForm } from "./EntitlementForm";
import {
  BILLING_PERIOD_LABELS,
  csvAmount,
  currencyRateText,
  LICENSE_METRIC_LABELS,
  TERM_STATE_COLORS,
  TERM_STATE_LABELS,
  totalCostText,
  unitCostText,
} from "./format";
import { useDeleteEntitlements, useEntitlements, useSaveEntitlement } from "./queries";

export const LIST = "Software Entitlements";

interface EntitlementsTableProps {
  profile: Profile;
  /** Only this model's entitlements (a link from the License Usage view). */
  modelId?: number | null;
}

/** "2 software entitlements". */
function entitlementCount(n: number): string {
  return `${n} software ${n === 1 ? "entitlement" : "entitlements"}`;
}

/**
 * A profile's Software Entitlements: what the organization bought for each model. New and Edit open
 * the form; Delete removes the selected ones, all or none, after a confirmation.
 */
export function EntitlementsTable({ profile, modelId = null }: EntitlementsTableProps) {
  const entitlements = useEntitlements(profile.id, modelId);
  const models = useModels(profile.id);
  const save = useSaveEntitlement(profile.id);
  const remove = useDeleteEntitlements(profile.id);
  const [editing, setEditing] = useState<{ entitlement: Entitlement | null } | null>(null);
  const [picked, setPicked] = useState<ReadonlySet<number>>(new Set());

  const rows = entitlements.data;
  // The selection keeps only what is still listed.
  const selected = useMemo(() => (rows ?? []).filter((e) => picked.has(e.id)), [rows, picked]);
  const toggle = (id: number, on: boolean) =>
    setPicked((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const confirmDelete = (chosen: readonly Entitlement[]) =>
    modals.openConfirmModal({
      title: chosen.length === 1 ? "Delete software entitlement" : `Delete ${entitlementCount(chosen.length)}`,
      children: (
        <Stack gap="xs">
          <Text size="sm">
            Delete {chosen.length === 1 ? "this entitlement" : `these ${chosen.length} entitlements`}? Their rights no
            longer count as owned: compliance, true-up cost and savings are computed again without them. All are
            deleted, or none is.
          </Text>
          <List size="sm" data-testid="delete-entitlements-list">
            {chosen.map((e) => (
              <List.Item key={e.id}>
                {e.displayName} ({e.modelName}, {e.purchasedRights.toLocaleString("en-US")} rights)
              </List.Item>
            ))}
          </List>
        </Stack>
      ),
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(
          chosen.map((e) => e.id),
          {
            onSuccess: (count) => {
              setPicked(new Set());
              notifySuccess("Entitlements deleted", `${entitlementCount(count)} deleted.`);
            },
            onError: (error) => notifyError("Could not delete the entitlements; none was deleted", error),
          },
        ),
    });

  const columns = useMemo(() => {
    const column = createColumnHelper<Entitlement>();
    return [
      column.display({
        id: "select",
        header: "Select",
        size: 70,
        cell: (c) => (
          <Checkbox
            aria-label={`Select ${c.row.original.displayName}`}
            checked={picked.has(c.row.original.id)}
            onChange={(event) => toggle(c.row.original.id, event.currentTarget.checked)}
          />
        ),
      }),
      column.accessor("displayName", {
        header: "Display name",
        size: 220,
        cell: (c) => (
          <Anchor component="button" type="button" size="sm" onClick={() => setEditing({ entitlement: c.row.original })}>
            {c.getValue()}
          </Anchor>
        ),
      }),
      column.accessor("modelName", { header: "Software model", size: 190, meta: { filter: {} } }),
      column.accessor("purchasedRights", {
        header: "Purchased rights",
        size: 110,
        cell: (c) => <Count value={c.getValue()} />,
      }),
      column.accessor((e) => e.unitCost.minor, {
        id: "unitCost",
        header: "Unit cost",
        size: 140,
        meta: { text: (e) => csvAmount(e, "unitCost") },
        cell: (c) => unitCostText(c.row.original),
      }),
      column.accessor((e) => e.totalCost.minor, {
        id: "totalCost",
        header: "Total cost",
        size: 150,
        meta: { text: (e) => csvAmount(e, "totalCost") },
        cell: (c) => totalCostText(c.row.original),
      }),
      column.accessor(currencyRateText, { id: "currency", header: "Currency/rate", size: 180 }),
      column.accessor((e) => BILLING_PERIOD_LABELS[e.billingPeriod], {
        id: "billingPeriod",
        header: "Billing period",
        size: 110,
        meta: { filter: { options: Object.values(BILLING_PERIOD_LABELS) } },
      }),
      column.accessor("termStart", { header: "Term start", size: 110 }),
      column.accessor("termEnd", { header: "Term end", size: 110 }),
      column.accessor((e) => TERM_STATE_LABELS[e.state], {
        id: "state",
        header: "State",
        size: 100,
        meta: { filter: { options: Object.values(TERM_STATE_LABELS) } },
        cell: (c) => (
          <Badge variant="light" color={TERM_STATE_COLORS[c.row.original.state]}>
            {c.getValue()}
          </Badge>
        ),
      }),
      column.accessor((e) => LICENSE_METRIC_LABELS[e.licenseMetric], {
        id: "licenseMetric",
        header: "License metric",
        size: 150,
      }),
      column.accessor("notes", {
        header: "Notes",
        size: 220,
        cell: (c) => (
          <Text span size="sm" title={c.getValue() ?? undefined}>
            {c.getValue() ?? ""}
          </Text>
        ),
      }),
      column.display({
        id: "actions",
        header: "Actions",
        size: 190,
        cell: (c) => (
          <Group gap={4} wrap="nowrap">
            <Button
              size="compact-sm"
              variant="subtle"
              leftSection={<IconPencil size={14} aria-hidden />}
              onClick={() => setEditing({ entitlement: c.row.original })}
              aria-label={`Edit ${c.row.original.displayName}`}
            >
              Edit
            </Button>
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={() => confirmDelete([c.row.original])}
              aria-label={`Delete ${c.row.original.displayName}`}
            >
              Delete
            </Button>
          </Group>
        ),
      }),
    ];
    // The handlers only use mutations and setters that keep their identity; `picked` redraws the boxes.
  }, [picked]);

  const noModels = models.data !== undefined && models.data.length === 0;
  const newButton = (
    <Button
      leftSection={<IconPlus size={16} aria-hidden />}
      onClick={() => setEditing({ entitlement: null })}
      disabled={noModels}
    >
      New entitlement
    </Button>
  );
  const actions = (
    <>
      {selected.length > 0 && (
        <Button
          variant="light"
          color="red"
          leftSection={<IconTrash size={16} aria-hidden />}
          onClick={() => confirmDelete(selected)}
        >
          Delete selected ({selected.length})
        </Button>
      )}
      {newButton}
    </>
  );

  return (
    <>
      <DataTable<Entitlement>
        label={LIST}
        data={rows}
        isLoading={entitlements.isPending}
        error={entitlements.error}
        onRetry={() => void entitlements.refetch()}
        columns={columns}
        getRowId={(e) => String(e.id)}
        exportName={exportName(profile, LIST)}
        actions={actions}
        maxHeight={400}
        onRowActivate={(entitlement) => setEditing({ entitlement })}
        onRowToggle={(entitlement) => toggle(entitlement.id, !picked.has(entitlement.id))}
        isRowSelected={(entitlement) => picked.has(entitlement.id)}
        data-testid={`entitlements-table-${profile.id}`}
        empty={
          noModels ? (
            <NotSyncedYet list={LIST} profile={profile} />
          ) : (
            <EmptyState
              icon={<IconCertificate size={26} />}
              title={modelId === null ? "No software entitlements yet" : "No entitlement for this model yet"}
              action={newButton}
              data-testid="entitlements-empty"
            >
              Add what the organization bought for each software model: purchased rights, unit cost and term. The
              reconciliation compares them with the seats in use: Compliant or Not Compliant, the true-up cost, and
              what reclaiming saves.
            </EmptyState>
          )
        }
      />
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.entitlement ? `Edit Software Entitlement: ${editing.entitlement.displayName}` : "New Software Entitlement"}
        size="lg"
      >
        {editing && (
          <EntitlementForm
            profile={profile}
            entitlement={editing.entitlement}
            defaultModelId={modelId}
            save={(id, input) => save.mutateAsync({ id, input })}
            onSaved={(saved) => {
              notifySuccess(
                editing.entitlement ? "Entitlement saved" : "Entitlement created",
                `“${saved.displayName}”: ${saved.purchasedRights.toLocaleString("en-US")} rights of ${saved.modelName}.`,
              );
              setEditing(null);
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </>
  );
}
