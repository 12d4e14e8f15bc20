import { zodResolver } from "@hookform/resolvers/zod";
import { Alert, Button, Group, Modal, PasswordInput, Radio, Select, Skeleton, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";

import type { Connection, ConnectionChoice, ConnectionPreset } from "../../bindings/profiles";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { applyFieldError } from "../../lib/formErrors";
import { maskedKey } from "../../lib/rules";
import { ConnectionHelp } from "./ConnectionHelp";
import { CUSTOM_URL, connectionFormSchema, type ConnectionFormValues, initialValues, toChoice } from "./connectionForm";
import { useConnections, usePresets, useUpdateConnection } from "./queries";

/** For a new profile: pick what it will use (saved with the profile). */
interface ChooseMode {
  mode: "choose";
  choice: ConnectionChoice | null;
  onChoose: (choice: ConnectionChoice) => void;
}

/** For a saved profile: change its connection, saved at once. */
interface EditMode {
  mode: "edit";
  connection: Connection;
}

type DialogMode = ChooseMode | EditMode;

type ConnectionDialogProps = DialogMode & { opened: boolean; onClose: () => void };

const BACKEND_FIELDS = { name: "name", url: "url", apiKey: "apiKey" } as const;

export function ConnectionDialog({ opened, onClose, ...mode }: ConnectionDialogProps) {
  const title = mode.mode === "edit" ? "Edit Connection & Credential" : "Create Connection & Credential";
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <DialogBody mode={mode} onClose={onClose} />
    </Modal>
  );
}

function DialogBody({ mode, onClose }: { mode: DialogMode; onClose: () => void }) {
  const presets = usePresets();
  const connections = useConnections({ enabled: mode.mode === "choose" });
  if (presets.isPending || (mode.mode === "choose" && connections.isPending)) {
    return (
      <Stack data-testid="connection-dialog-loading">
        <Skeleton h={56} />
        <Skeleton h={56} />
        <Skeleton h={56} />
      </Stack>
    );
  }
  if (presets.isError) {
    return <ErrorAlert title="Could not load the Connection URLs" error={presets.error} onRetry={presets.refetch} />;
  }
  return <ConnectionForm mode={mode} onClose={onClose} presets={presets.data} connections={connections.data ?? []} />;
}

interface ConnectionFormProps {
  mode: DialogMode;
  onClose: () => void;
  presets: ConnectionPreset[];
  connections: Connection[];
}

function ConnectionForm({ mode, onClose, presets, connections }: ConnectionFormProps) {
  const keyOnFile = mode.mode === "edit" || mode.choice?.kind === "new";
  const updateConnection = useUpdateConnection();
  const [formError, setFormError] = useState<unknown>(null);
  const {
    register,
    control,
    handleSubmit,
    watch,
    setValue,
    clearErrors,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ConnectionFormValues>({
    resolver: zodResolver(connectionFormSchema({ keyRequired: !keyOnFile })),
    defaultValues: initialValues(
      mode.mode === "edit" ? { connection: mode.connection } : { choice: mode.choice },
      presets,
    ),
  });
  const source = watch("source");
  const urlPreset = watch("urlPreset");
  const canUseExisting = mode.mode === "choose" && connections.length > 0;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    if (mode.mode === "choose") {
      mode.onChoose(toChoice(values, mode.choice));
      onClose();
      return;
    }
    const apiKey = values.apiKey.trim();
    try {
      await updateConnection.mutateAsync({
        id: mode.connection.id,
        update: { name: values.name.trim(), url: values.url.trim(), ...(apiKey !== "" && { apiKey }) },
      });
      notifySuccess(
        "Connection saved",
        `“${values.name.trim()}” is saved. Validate the connection again if you changed its URL or key.`,
      );
      onClose();
    } catch (error) {
      if (!applyFieldError(error, setError, BACKEND_FIELDS)) setFormError(error);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {mode.mode === "edit" && mode.connection.profileCount > 1 && (
          <Alert color="yellow" variant="light" role="note">
            {mode.connection.profileCount} profiles use this connection. Your changes apply to all of them, and a new
            Connection URL or API Key means validating each of them again.
          </Alert>
        )}
        {canUseExisting && (
          <Controller
            control={control}
            name="source"
            render={({ field }) => (
              <Radio.Group label="Connection" value={field.value} onChange={field.onChange}>
                <Group mt="xs">
                  <Radio value="new" label="Create a new connection" />
                  <Radio value="existing" label="Use an existing connection" />
                </Group>
              </Radio.Group>
            )}
          />
        )}
        {source === "existing" ? (
          <Controller
            control={control}
            name="connectionId"
            render={({ field, fieldState }) => (
              <Select
                label="Existing connection"
                description="Profiles that share a connection share its URL and API key."
                data={connections.map((c) => ({ value: String(c.id), label: `${c.name} — ${c.url}` }))}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                error={fieldState.error?.message}
                allowDeselect={false}
                required
                withAsterisk={false}
              />
            )}
          />
        ) : (
          <>
            <TextInput
              label="Name"
              placeholder="e.g. Smartsheet US"
              required
              withAsterisk={false}
              data-autofocus
              error={errors.name?.message}
              {...register("name")}
            />
            <Controller
              control={control}
              name="urlPreset"
              render={({ field }) => (
                <Select
                  label="Connection URL"
                  description="Your Smartsheet region's API address."
                  data={[
                    ...presets.map((p) => ({ value: p.url, label: `${p.label} — ${p.url}` })),
                    { value: CUSTOM_URL, label: "Custom URL…" },
                  ]}
                  value={field.value}
                  onChange={(value) => {
                    if (value === null) return;
                    field.onChange(value);
                    setValue("url", value === CUSTOM_URL ? "" : value);
                    clearErrors("url");
                  }}
                  onBlur={field.onBlur}
                  error={urlPreset === CUSTOM_URL ? undefined : errors.url?.message}
                  allowDeselect={false}
                  required
                  withAsterisk={false}
                />
              )}
            />
            {urlPreset === CUSTOM_URL && (
              <TextInput
                label="Custom URL"
                description="https:// only; plain http:// is accepted for a simulator on this computer (localhost)."
                placeholder="https://api.smartsheet.com/2.0"
                required
                withAsterisk={false}
                error={errors.url?.message}
                {...register("url")}
              />
            )}
            <PasswordInput
              label="API Key"
              description="The API access token you generated in Smartsheet. It is kept in this computer's keychain."
              placeholder={
                mode.mode === "edit"
                  ? `Leave blank to keep the current key (${maskedKey(mode.connection.keyLastFour)})`
                  : keyOnFile
                    ? "Leave blank to keep the key you entered"
                    : "Paste the API access token"
              }
              required={!keyOnFile}
              withAsterisk={false}
              autoComplete="off"
              spellCheck={false}
              error={errors.apiKey?.message}
              // Mantine's PasswordInput marks only its wrapper as invalid.
              aria-invalid={errors.apiKey ? true : undefined}
              {...register("apiKey")}
            />
          </>
        )}
        {formError !== null && <ErrorAlert title="Could not save the connection" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {mode.mode === "edit" ? "Save" : "Create"}
          </Button>
        </Group>
        <ConnectionHelp />
      </Stack>
    </form>
  );
}
