import { Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import { IconArrowRight, IconCircleCheck } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";

import type { Profile } from "../../../bindings/profiles";
import type { SoftwareModel, UnrecognizedIdentifier } from "../../../bindings/sync";
import { DataTable } from "../../../components/DataTable";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { notifySuccess } from "../../../components/notify";
import { Count, DateCell, exportName } from "./cells";
import { useMapIdentifier, useModels, useUnrecognizedIdentifiers } from "./queries";

const column = createColumnHelper<UnrecognizedIdentifier>();

export function UnrecognizedIdentifiersTable({ profile }: { profile: Profile }) {
  const identifiers = useUnrecognizedIdentifiers(profile.id);
  const [mapping, setMapping] = useState<UnrecognizedIdentifier | null>(null);
  const columns = useMemo(
    () => [
      column.accessor("identifier", { header: "Identifier", size: 240 }),
      column.accessor("firstSeen", { header: "First seen", size: 160, cell: (c) => <DateCell value={c.getValue()} /> }),
      column.accessor("subscriptionCount", { header: "Users", size: 110, cell: (c) => <Count value={c.getValue()} /> }),
      column.display({
        id: "map",
        header: "Action",
        size: 170,
        cell: (c) => (
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconArrowRight size={14} aria-hidden />}
            onClick={() => setMapping(c.row.original)}
            aria-label={`Map ${c.row.original.identifier} to model`}
          >
            Map to model
          </Button>
        ),
      }),
    ],
    [],
  );
  return (
    <>
      <DataTable
        label="Unrecognized Subscription Identifiers"
        data={identifiers.data}
        isLoading={identifiers.isPending}
        error={identifiers.error}
        onRetry={() => void identifiers.refetch()}
        columns={columns}
        getRowId={(u) => String(u.id)}
        initialSorting={[{ id: "identifier", desc: false }]}
        exportName={exportName(profile, "Unrecognized Subscription Identifiers")}
        data-testid="unrecognized-table"
        empty={
          <EmptyState
            icon={<IconCircleCheck size={26} />}
            title="No unrecognized subscription identifiers"
            data-testid="related-list-empty"
          >
            A refresh of {profile.displayName} Subscriptions lists here the subscription identifiers (seat types) that
            have no software model, for you to map to one.
          </EmptyState>
        }
      />
      <Modal
        opened={mapping !== null}
        onClose={() => setMapping(null)}
        title={mapping ? `Map “${mapping.identifier}” to a software model` : ""}
      >
        {mapping && <MapForm profile={profile} identifier={mapping} onClose={() => setMapping(null)} />}
      </Modal>
    </>
  );
}

function modelLabel(model: SoftwareModel): string {
  return model.subscriptionIdentifier ? `${model.name} (${model.subscriptionIdentifier})` : model.name;
}

function MapForm({
  profile,
  identifier,
  onClose,
}: {
  profile: Profile;
  identifier: UnrecognizedIdentifier;
  onClose: () => void;
}) {
  const models = useModels(profile.id);
  const map = useMapIdentifier(profile.id);
  const [modelId, setModelId] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const missing = touched && modelId === null ? "Choose the software model for this identifier." : undefined;

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (modelId === null) return;
    const model = models.data?.find((m) => String(m.id) === modelId);
    map.mutate(
      { identifier: identifier.identifier, modelId: Number(modelId) },
      {
        onSuccess: () => {
          notifySuccess(
            "Identifier mapped",
            `“${identifier.identifier}” is mapped to ${model?.name ?? "the model"}. The next refresh of ${profile.displayName} Subscriptions uses it.`,
          );
          onClose();
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          {identifier.subscriptionCount.toLocaleString("en-US")}{" "}
          {identifier.subscriptionCount === 1 ? "subscription has" : "subscriptions have"} this identifier. The next
          refresh of {profile.displayName} Subscriptions links them to the model you choose.
        </Text>
        {models.isError ? (
          <ErrorAlert title="Could not load the software models" error={models.error} onRetry={() => void models.refetch()} />
        ) : (
          <Select
            label="Software model"
            placeholder={models.isPending ? "Loading…" : "Choose a model"}
            data={(models.data ?? []).map((m) => ({ value: String(m.id), label: modelLabel(m) }))}
            value={modelId}
            onChange={setModelId}
            disabled={models.isPending}
            searchable
            nothingFoundMessage="No model has that name"
            error={missing}
            required
            withAsterisk={false}
            data-autofocus
          />
        )}
        {map.isError && <ErrorAlert title="Could not map the identifier" error={map.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={map.isPending}>
            Map
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
