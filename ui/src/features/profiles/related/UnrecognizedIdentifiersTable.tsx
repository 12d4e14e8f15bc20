import { Button, Checkbox, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconArrowRight, IconCircleCheck } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";

import type { Profile } from "../../../bindings/profiles";
import type { SoftwareModel, UnrecognizedIdentifier } from "../../../bindings/sync";
import { DataTable } from "../../../components/DataTable";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { notifySuccess } from "../../../components/notify";
import { IpcError } from "../../../lib/ipc";
import { reclaimKeys } from "../../reclaim/queries";
import { Count, DateCell, exportName } from "./cells";
import { useCreateModelForIdentifier, useMapIdentifier, useModels, useUnrecognizedIdentifiers } from "./queries";

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
  const create = useCreateModelForIdentifier(profile.id);
  const queryClient = useQueryClient();
  // Map to a model the profile has, or to a new one made for this identifier.
  const [mode, setMode] = useState<"existing" | "new">("existing");
  const [modelId, setModelId] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [paid, setPaid] = useState(false);
  const [touched, setTouched] = useState(false);
  const missing = touched && modelId === null ? "Choose the software model for this identifier." : undefined;
  const createError = create.error ? IpcError.from(create.error) : null;
  const nameError =
    (touched && name.trim() === "" ? "Enter a name for the software model." : undefined) ??
    (createError?.field === "name" ? createError.message : undefined);
  const pending = map.isPending || create.isPending;
  const failed = mode === "existing" ? map.error : createError?.field === "name" ? null : create.error;

  const mapped = (modelName: string) => {
    notifySuccess(
      "Identifier mapped",
      `“${identifier.identifier}” is mapped to ${modelName}. The next refresh of ${profile.displayName} Subscriptions uses it.`,
    );
    onClose();
  };

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (mode === "new") {
      if (name.trim() === "") return;
      create.mutate(
        { identifier: identifier.identifier, name: name.trim(), paid },
        {
          onSuccess: () => {
            // The new model comes with its reclamation rule.
            void queryClient.invalidateQueries({ queryKey: reclaimKeys.rules(profile.id) });
            mapped(name.trim());
          },
        },
      );
      return;
    }
    if (modelId === null) return;
    const model = models.data?.find((m) => String(m.id) === modelId);
    map.mutate(
      { identifier: identifier.identifier, modelId: Number(modelId) },
      { onSuccess: () => mapped(model?.name ?? "the model") },
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
        <SegmentedControl
          aria-label="Map to"
          value={mode}
          onChange={(value) => {
            setMode(value as "existing" | "new");
            setTouched(false);
          }}
          data={[
            { value: "existing", label: "An existing model" },
            { value: "new", label: "A new model" },
          ]}
        />
        {mode === "new" ? (
          <>
            <TextInput
              label="Name"
              description="For example, Smartsheet Enterprise Seat."
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              error={nameError}
              maxLength={100}
              required
              withAsterisk={false}
              data-autofocus
            />
            <Checkbox
              label="Paid seat"
              description="Its subscriptions cost a license: they count as paid seats and can be removal candidates."
              checked={paid}
              onChange={(event) => setPaid(event.currentTarget.checked)}
            />
          </>
        ) : models.isError ? (
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
        {failed && <ErrorAlert title="Could not map the identifier" error={failed} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            {mode === "new" ? "Create and map" : "Map"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
