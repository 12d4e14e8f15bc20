import { Button, Group, Skeleton, Stack, TagsInput, Text } from "@mantine/core";
import { IconDeviceFloppy } from "@tabler/icons-react";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";

import type { Profile } from "../../bindings/profiles";
import type { ActivitySettings } from "../../bindings/sync";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { formatDateTime } from "../../lib/dates";
import { applyFieldError } from "../../lib/formErrors";
import { useActivitySettings, useSetActivitySettings } from "./related/queries";

/** Suggestions; the admin may type any `OBJECT_TYPE:ACTION` (with `*` for any). */
export const COMMON_EVENT_KINDS = [
  "SHEET:LOAD",
  "REPORT:LOAD",
  "DASHBOARD:LOAD",
  "ACCESS_TOKEN:*",
  "USER:LOGIN",
  "SHEET:*",
  "REPORT:*",
  "DASHBOARD:*",
];

interface KindsFormValues {
  excludedEventKinds: string[];
}

const KINDS_FIELDS = { excludedEventKinds: "excludedEventKinds" } as const;

/** Where last activity comes from, as the admin reads it. */
function activitySourceText(settings: ActivitySettings, profile: Profile): string {
  switch (settings.activitySource) {
    case "events":
      return settings.lastEventsSyncAt
        ? `Event Reporting stream (last read ${formatDateTime(settings.lastEventsSyncAt)})`
        : "Event Reporting stream";
    case "last_login":
      return "Last login dates (Event Reporting is not available)";
    default: {
      const eventReporting = profile.lastValidation?.eventReporting ?? null;
      if (eventReporting === true) return "Not yet known: Event Reporting stream expected (the connection has it)";
      if (eventReporting === false) return "Not yet known: last login dates expected (no Event Reporting)";
      return "Not yet known: the first Events refresh decides";
    }
  }
}

/**
 * The Calculate Activity Subflow's activity settings of a saved profile: where activity comes from,
 * and which event types count (every user-initiated one unless the admin excludes some). Saved on
 * its own, not with the profile form it sits in (hence no `<form>` and a plain button).
 */
export function ActivityEventSettings({ profile }: { profile: Profile }) {
  const settings = useActivitySettings(profile.id);

  if (settings.isPending) return <Skeleton height={120} data-testid="activity-settings-loading" />;
  if (settings.isError) {
    return (
      <ErrorAlert
        title="Could not load the activity settings"
        error={settings.error}
        onRetry={() => void settings.refetch()}
      />
    );
  }
  return (
    <Stack gap="sm" data-testid="activity-settings">
      <div>
        <Text size="sm" fw={500}>
          Activity source
        </Text>
        <Text size="sm" data-testid="activity-source">
          {activitySourceText(settings.data, profile)}
        </Text>
      </div>
      {/* Re-mounted when the stored list changes elsewhere (another save, a refetch). */}
      <ExcludedKindsForm
        key={settings.data.excludedEventKinds.join(",")}
        profile={profile}
        stored={settings.data.excludedEventKinds}
      />
    </Stack>
  );
}

function ExcludedKindsForm({ profile, stored }: { profile: Profile; stored: string[] }) {
  const save = useSetActivitySettings(profile.id);
  const { control, handleSubmit, reset, setError, watch, formState } = useForm<KindsFormValues>({
    defaultValues: { excludedEventKinds: stored },
  });
  const excluded = watch("excludedEventKinds");
  const [saveError, setSaveError] = useState<unknown>(null);

  const onSave = handleSubmit(async ({ excludedEventKinds }) => {
    setSaveError(null);
    try {
      const saved = await save.mutateAsync(excludedEventKinds);
      reset({ excludedEventKinds: saved.excludedEventKinds });
      notifySuccess(
        "Activity event types saved",
        `The next “Refresh ${profile.displayName} Events” reads the event stream again with the new rule.`,
      );
    } catch (error) {
      // A field error shows on the control; anything else as an alert.
      if (!applyFieldError(error, setError, KINDS_FIELDS)) setSaveError(error);
    }
  });

  return (
    <Stack gap="xs">
      <div>
        <Text size="sm" fw={500}>
          Event types that count as activity
        </Text>
        <Text size="sm" data-testid="activity-kinds-summary">
          {excluded.length === 0
            ? "Every user-initiated event"
            : `Every user-initiated event except ${excluded.length === 1 ? "1 type" : `${excluded.length} types`}`}
        </Text>
      </div>
      <Controller
        control={control}
        name="excludedEventKinds"
        render={({ field, fieldState }) => (
          <TagsInput
            label="Don't count these event types"
            description="OBJECT_TYPE:ACTION, with * for any object type or any action (ACCESS_TOKEN:* is every API token event). Pick one or type your own and press Enter. Events of Smartsheet's system users never count."
            placeholder={field.value.length === 0 ? "None: every user-initiated event counts" : "Add an event type"}
            data={COMMON_EVENT_KINDS}
            value={field.value}
            onChange={(values) => field.onChange(values.map((v) => v.trim().toUpperCase()))}
            onBlur={field.onBlur}
            ref={field.ref}
            // Enter adds a tag; it must never submit the profile form around this control.
            onKeyDown={(event) => {
              if (event.key === "Enter") event.preventDefault();
            }}
            clearable
            error={fieldState.error?.message}
          />
        )}
      />
      {saveError !== null && <ErrorAlert title="Could not save the activity event types" error={saveError} />}
      <Group justify="space-between" align="center" wrap="nowrap">
        <Text size="xs" c="dimmed">
          Changing this list clears the activity counted from events: the next refresh reads the event stream again
          from “Analyze user activity from”.
        </Text>
        <Button
          type="button"
          variant="default"
          leftSection={<IconDeviceFloppy size={16} />}
          onClick={() => void onSave()}
          loading={formState.isSubmitting}
          disabled={!formState.isDirty}
          style={{ flexShrink: 0 }}
        >
          Save event types
        </Button>
      </Group>
    </Stack>
  );
}
