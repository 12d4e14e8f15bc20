import { zodResolver } from "@hookform/resolvers/zod";
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Input,
  Modal,
  PasswordInput,
  Radio,
  Select,
  Skeleton,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useId, useState } from "react";
import { Controller, useForm } from "react-hook-form";

import type { Connection, ConnectionChoice, ConnectionPreset, Profile } from "../../bindings/profiles";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { applyFieldError } from "../../lib/formErrors";
import { maskedKey } from "../../lib/rules";
import { ConnectionHelp } from "./ConnectionHelp";
import {
  CUSTOM_URL,
  connectionFormSchema,
  type ConnectionFormValues,
  hostToConfirm,
  initialValues,
  KEY_FOR_NEW_ADDRESS,
  keyNeedsReentry,
  toChoice,
  toUpdate,
} from "./connectionForm";
import { useSetProfileConnection } from "../profiles/queries";
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

/**
 * For a saved profile: Create New Connection & Credential (the procedure's related link) when it
 * has none, or move it to another connection (a new child alias or an existing one). Saved at once.
 */
interface AttachMode {
  mode: "attach";
  profile: Profile;
}

type DialogMode = ChooseMode | EditMode | AttachMode;

type ConnectionDialogProps = DialogMode & { opened: boolean; onClose: () => void };

const BACKEND_FIELDS = { name: "name", url: "url", apiKey: "apiKey", connectionId: "connectionId" } as const;

const DEMO_URL_NOTE =
  "The demo organization's connection always points at the simulated organization. To connect your own Smartsheet organization, create a new connection.";

export function ConnectionDialog({ opened, onClose, ...mode }: ConnectionDialogProps) {
  const title =
    mode.mode === "edit"
      ? "Edit Connection & Credential"
      : mode.mode === "attach" && mode.profile.connection
        ? "Use another connection"
        : "Create Connection & Credential";
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <DialogBody mode={mode} onClose={onClose} />
    </Modal>
  );
}

function DialogBody({ mode, onClose }: { mode: DialogMode; onClose: () => void }) {
  const presets = usePresets();
  const offersExisting = mode.mode !== "edit";
  const connections = useConnections({ enabled: offersExisting });
  if (presets.isPending || (offersExisting && connections.isPending)) {
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
  // A profile moving to another connection is offered the others only.
  const current = mode.mode === "attach" ? mode.profile.connection?.id : undefined;
  const others = (connections.data ?? []).filter((c) => c.id !== current);
  return <ConnectionForm mode={mode} onClose={onClose} presets={presets.data} connections={others} />;
}

interface ConnectionFormProps {
  mode: DialogMode;
  onClose: () => void;
  presets: ConnectionPreset[];
  connections: Connection[];
}

function ConnectionForm({ mode, onClose, presets, connections }: ConnectionFormProps) {
  // The Connection URL that the key on file was entered for; a blank API Key keeps that key while
  // the URL stays on its origin.
  const keyUrl =
    mode.mode === "edit"
      ? mode.connection.url
      : mode.mode === "choose" && mode.choice?.kind === "new"
        ? mode.choice.url
        : null;
  const urlLocked = mode.mode === "edit" && mode.connection.isDemo;
  const updateConnection = useUpdateConnection();
  const setProfileConnection = useSetProfileConnection(mode.mode === "attach" ? mode.profile.id : 0);
  const trustErrorId = useId();
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
    resolver: zodResolver(connectionFormSchema({ keyUrl })),
    defaultValues: initialValues(
      mode.mode === "edit"
        ? { connection: mode.connection }
        : { choice: mode.mode === "choose" ? mode.choice : null },
      presets,
    ),
  });
  const source = watch("source");
  const urlPreset = watch("urlPreset");
  const url = watch("url");
  const hostToTrust = hostToConfirm(url);
  const keyMoved = keyNeedsReentry(url, keyUrl);
  const keyOnFile = keyUrl !== null && !keyMoved;
  const canUseExisting = mode.mode !== "edit" && connections.length > 0;

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    if (mode.mode === "choose") {
      mode.onChoose(toChoice(values, mode.choice));
      onClose();
      return;
    }
    try {
      if (mode.mode === "attach") {
        const saved = await setProfileConnection.mutateAsync(toChoice(values, null));
        notifySuccess(
          mode.profile.connection ? "Connection changed" : "Connection & Credential created",
          `“${saved.displayName}” uses “${saved.connection?.name ?? ""}”. Next: Validate Connection.`,
        );
      } else {
        await updateConnection.mutateAsync({ id: mode.connection.id, update: toUpdate(values) });
        notifySuccess(
          "Connection saved",
          `“${values.name.trim()}” is saved. Validate the connection again if you changed its URL or key.`,
        );
      }
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
        {mode.mode === "attach" && mode.profile.connection && (
          <Alert color="yellow" variant="light" role="note">
            {mode.profile.status === "Published"
              ? `“${mode.profile.displayName}” returns to Draft, with its jobs stopped, until you validate the new connection and publish it again.`
              : `“${mode.profile.displayName}” must be validated again with the new connection.`}{" "}
            “{mode.profile.connection.name}” stays on the Connection & Credential screen, where you can delete it once no
            profile uses it.
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
                  description={urlLocked ? DEMO_URL_NOTE : "Your Smartsheet region's API address."}
                  disabled={urlLocked}
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
                disabled={urlLocked}
              />
            )}
            {hostToTrust !== null && (
              <Alert
                color="orange"
                variant="light"
                role="note"
                title="Not one of Smartsheet's API hosts"
                icon={<IconAlertTriangle size={18} aria-hidden />}
              >
                <Stack gap="sm">
                  <Text size="sm">
                    {hostToTrust} is not one of Smartsheet's API hosts. Seatkeeper would send your API key to{" "}
                    {hostToTrust}. Confirm only if you are sure the key should go there, for example to a gateway
                    your company runs in front of Smartsheet; otherwise choose your region's Connection URL.
                  </Text>
                  <Controller
                    control={control}
                    name="trustedHost"
                    render={({ field, fieldState }) => (
                      <Stack gap={4}>
                        <Checkbox
                          label={`Send my API key to ${hostToTrust}`}
                          checked={field.value === hostToTrust}
                          onChange={(event) => field.onChange(event.currentTarget.checked ? hostToTrust : null)}
                          onBlur={field.onBlur}
                          ref={field.ref}
                          // Mantine's Checkbox neither marks itself invalid nor points at its error.
                          error={fieldState.error !== undefined}
                          aria-invalid={fieldState.error ? true : undefined}
                          aria-describedby={fieldState.error ? trustErrorId : undefined}
                        />
                        {fieldState.error && <Input.Error id={trustErrorId}>{fieldState.error.message}</Input.Error>}
                      </Stack>
                    )}
                  />
                </Stack>
              </Alert>
            )}
            <PasswordInput
              label="API Key"
              description="The API access token you generated in Smartsheet. It is kept in this computer's keychain."
              placeholder={
                keyMoved
                  ? KEY_FOR_NEW_ADDRESS
                  : mode.mode === "edit"
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
            {mode.mode === "edit" ? "Save" : source === "existing" && mode.mode === "attach" ? "Use connection" : "Create"}
          </Button>
        </Group>
        <ConnectionHelp />
      </Stack>
    </form>
  );
}
