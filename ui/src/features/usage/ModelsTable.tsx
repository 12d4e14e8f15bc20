import { Anchor, Badge, Group, Text } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link } from "wouter";

import type { Profile } from "../../bindings/profiles";
import type { Compliance, ModelReconciliation } from "../../bindings/reconcile";
import { DataTable } from "../../components/DataTable";
import { exportName } from "../profiles/related/cells";
import { candidatesHref, entitlementsHref } from "./links";
import { COMPLIANCE_LABELS, USAGE_FIELDS } from "./usageData";

export const MODELS_LIST = "License Usage by Model";

/** Column widths; counts are 100. */
const SIZES: Record<string, number> = {
  model: 210,
  paid: 70,
  compliance: 130,
  trueUpCost: 140,
  potentialSavings: 160,
  actualSavings: 150,
};

const COMPLIANCE_COLORS: Record<Compliance, string> = { compliant: "teal", notCompliant: "red" };

/** Where to act on a model: its removal candidates, its entitlements. */
function Remediation({ profile, model }: { profile: Profile; model: ModelReconciliation }) {
  if (model.modelId === null) return <Text span size="sm" c="dimmed">Model deleted</Text>;
  return (
    <Group gap="sm" wrap="nowrap">
      {model.paid && (
        <Link href={candidatesHref(profile.id, model.modelId)} asChild>
          <Anchor size="sm" aria-label={`Review candidates: ${model.model}`}>
            Review candidates
          </Anchor>
        </Link>
      )}
      <Link href={entitlementsHref(profile.id, model.modelId)} asChild>
        <Anchor size="sm" aria-label={`Entitlements: ${model.model}`}>
          Entitlements
        </Anchor>
      </Link>
    </Group>
  );
}

/**
 * The reconciliation per software model, with where to act on each. Its CSV has the columns of
 * `USAGE_FIELDS` (see `usageCsv`).
 */
export function ModelsTable({ profile, models }: { profile: Profile; models: readonly ModelReconciliation[] }) {
  const columns = useMemo(() => {
    const column = createColumnHelper<ModelReconciliation>();
    const data = USAGE_FIELDS.map((field) =>
      column.accessor((m) => (field.sort ? field.sort(m) : field.csv(m)), {
        id: field.id,
        header: field.header,
        size: SIZES[field.id] ?? 100,
        sortUndefined: "last",
        meta: { text: (m: ModelReconciliation) => field.csv(m) },
        cell: (c) =>
          field.id === "compliance" ? (
            <Badge variant="light" color={COMPLIANCE_COLORS[c.row.original.compliance]}>
              {COMPLIANCE_LABELS[c.row.original.compliance]}
            </Badge>
          ) : (
            field.display(c.row.original)
          ),
      }),
    );
    return [
      ...data,
      column.display({
        id: "remediation",
        header: "Remediation",
        size: 240,
        cell: (c) => <Remediation profile={profile} model={c.row.original} />,
      }),
    ];
  }, [profile]);

  return (
    <DataTable<ModelReconciliation>
      label={MODELS_LIST}
      data={models}
      columns={columns}
      getRowId={(m) => String(m.modelId ?? m.model)}
      exportName={exportName(profile, MODELS_LIST)}
      maxHeight={360}
      data-testid="usage-models-table"
      empty={
        <Text size="sm" c="dimmed">
          No software model yet.
        </Text>
      }
    />
  );
}
