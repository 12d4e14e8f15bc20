import { zodResolver } from "@hookform/resolvers/zod";
import { Box, Button, Group, Stack, Title } from "@mantine/core";
import { IconDeviceFloppy } from "@tabler/icons-react";
import { useDisclosure } from "@mantine/hooks";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";

import type { ConnectionChoice, Profile, ProfileInput } from "../../bindings/profiles";
import { ErrorAlert } from "../../components/ErrorAlert";
import { ConnectionDialog } from "../connections/ConnectionDialog";
import { applyFieldError } from "../../lib/formErrors";
import { toPickerValue } from "../../lib/dates";
import { ActionHint, ProfileActions } from "./ProfileActions";
import { ProfileDetailsSection } from "./ProfileDetailsSection";
import {
  newProfileValues,
  PROFILE_FORM_FIELDS,
  profileFormSchema,
  type ProfileFormValues,
  profileValues,
  toProfileInput,
} from "./profileForm";
import { SubflowSections } from "./SubflowSections";

interface ProfileFormProps {
  /** The saved profile; absent for a new one. */
  profile?: Profile;
  /** The earliest (and, for new profiles, default) "Analyze user activity from". */
  defaultActivityStart: string;
  onSave: (input: ProfileInput, connection: ConnectionChoice | null) => Promise<Profile>;
  onCancel?: () => void;
}

export function ProfileForm({ profile, defaultActivityStart, onSave, onCancel }: ProfileFormProps) {
  const initialAnalyzeFrom = toPickerValue(profile?.analyzeActivityFrom ?? defaultActivityStart);
  const schema = useMemo(
    () =>
      profileFormSchema({
        earliest: defaultActivityStart,
        initialAnalyzeFrom,
      }),
    [defaultActivityStart, initialAnalyzeFrom],
  );
  const form = useForm<ProfileFormValues>({
    resolver: zodResolver(schema),
    defaultValues: profile ? profileValues(profile) : newProfileValues(defaultActivityStart),
  });
  const { handleSubmit, reset, setError, formState } = form;
  const [saveError, setSaveError] = useState<unknown>(null);
  const [connectionDialogOpened, connectionDialog] = useDisclosure(false);
  const [attachDialogOpened, attachDialog] = useDisclosure(false);

  const onSubmit = handleSubmit(async (values) => {
    setSaveError(null);
    try {
      const saved = await onSave(toProfileInput(values, initialAnalyzeFrom), values.connection);
      reset(profileValues(saved));
    } catch (error) {
      if (!applyFieldError(error, setError, PROFILE_FORM_FIELDS)) setSaveError(error);
    }
  });

  return (
    <>
      <form onSubmit={onSubmit} noValidate aria-label={profile ? `Profile ${profile.displayName}` : "New profile"}>
        <Stack gap="md">
          <Box
            pos="sticky"
            top="var(--app-shell-header-height)"
            py="sm"
            style={{ zIndex: 3, background: "var(--mantine-color-body)" }}
          >
            <Group justify="space-between" wrap="nowrap" align="center">
              <Title order={2} size="h4" lineClamp={2}>
                {profile ? profile.displayName : "New integration profile"}
              </Title>
              <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
                <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={formState.isSubmitting}>
                  Save
                </Button>
                {profile && <ProfileActions profile={profile} dirty={formState.isDirty} />}
                {onCancel && (
                  <Button variant="default" onClick={onCancel}>
                    Cancel
                  </Button>
                )}
              </Group>
            </Group>
            {profile && <ActionHint profile={profile} dirty={formState.isDirty} />}
          </Box>
          {saveError !== null && <ErrorAlert title="Could not save the profile" error={saveError} />}
          <ProfileDetailsSection
            form={form}
            profile={profile}
            onOpenConnectionDialog={connectionDialog.open}
            onOpenAttachDialog={attachDialog.open}
          />
          <SubflowSections form={form} profile={profile} earliest={defaultActivityStart} />
        </Stack>
      </form>
      {/* Outside the <form>: the dialog has its own form, and React events bubble through portals. */}
      {profile ? (
        <>
          {profile.connection && (
            <ConnectionDialog
              mode="edit"
              connection={profile.connection}
              opened={connectionDialogOpened}
              onClose={connectionDialog.close}
            />
          )}
          <ConnectionDialog mode="attach" profile={profile} opened={attachDialogOpened} onClose={attachDialog.close} />
        </>
      ) : (
        <ConnectionDialog
          mode="choose"
          choice={form.watch("connection")}
          onChoose={(choice) => form.setValue("connection", choice, { shouldDirty: true, shouldValidate: true })}
          opened={connectionDialogOpened}
          onClose={connectionDialog.close}
        />
      )}
    </>
  );
}
