import { Button, Input, SimpleGrid, TextInput } from "@mantine/core";
import { IconPlugConnected, IconSwitchHorizontal } from "@tabler/icons-react";
import type { UseFormReturn } from "react-hook-form";

import type { ConnectionChoice, Profile, ProfileType } from "../../bindings/profiles";
import { FormSection } from "../../components/FormSection";
import { StatusBadge } from "../../components/StatusBadge";
import { keyLastFour } from "../../lib/rules";
import { ConnectionField, type ConnectionSummary } from "../connections/ConnectionField";
import { useConnections } from "../connections/queries";
import type { ProfileFormValues } from "./profileForm";
import { ValidationResultPanel } from "./ValidationResultPanel";

const PROFILE_TYPE: ProfileType = "Smartsheet Subscription";

interface ProfileDetailsSectionProps {
  form: UseFormReturn<ProfileFormValues>;
  profile?: Profile;
  /** The dialog that sets up a new profile's connection, or edits a saved profile's. */
  onOpenConnectionDialog: () => void;
  /** A saved profile's Create New Connection & Credential / Use another connection dialog. */
  onOpenAttachDialog: () => void;
}

/** Display Name, Status, Profile Type and the Connection & Credential of a profile. */
export function ProfileDetailsSection({
  form,
  profile,
  onOpenConnectionDialog,
  onOpenAttachDialog,
}: ProfileDetailsSectionProps) {
  const {
    register,
    formState: { errors },
  } = form;
  return (
    <FormSection title="Integration profile">
      <TextInput
        label="Display Name"
        description="For example, Smartsheet Integration."
        required
        withAsterisk={false}
        error={errors.displayName?.message}
        {...register("displayName")}
      />
      <SimpleGrid cols={2}>
        <Input.Wrapper label="Status" labelElement="div">
          <div>
            <StatusBadge status={profile?.status ?? "Draft"} size="lg" mt={4} data-testid="profile-status" />
          </div>
        </Input.Wrapper>
        <TextInput label="Profile Type" value={profile?.profileType ?? PROFILE_TYPE} readOnly variant="filled" />
      </SimpleGrid>
      {profile ? (
        <>
          <ConnectionField
            summary={profile.connection}
            emptyText="Not set up yet. Create the connection to Smartsheet that this profile uses: Validate Connection and Publish need it."
            actions={
              profile.connection ? (
                <>
                  <Button variant="light" leftSection={<IconPlugConnected size={16} />} onClick={onOpenConnectionDialog}>
                    Edit connection
                  </Button>
                  <Button variant="default" leftSection={<IconSwitchHorizontal size={16} />} onClick={onOpenAttachDialog}>
                    Use another connection
                  </Button>
                </>
              ) : (
                <Button variant="light" leftSection={<IconPlugConnected size={16} />} onClick={onOpenAttachDialog}>
                  Create New Connection & Credential
                </Button>
              )
            }
          />
          <ValidationResultPanel
            validation={profile.lastValidation}
            status={profile.status}
            profile={profile}
            onEditConnection={onOpenConnectionDialog}
          />
        </>
      ) : (
        <NewConnection form={form} onOpenDialog={onOpenConnectionDialog} />
      )}
    </FormSection>
  );
}

function useChoiceSummary(choice: ConnectionChoice | null): ConnectionSummary | null {
  const connections = useConnections({ enabled: choice?.kind === "existing" });
  if (choice === null) return null;
  if (choice.kind === "new") return { name: choice.name, url: choice.url, keyLastFour: keyLastFour(choice.apiKey) };
  return connections.data?.find((c) => c.id === choice.connectionId) ?? null;
}

/** A new profile's connection is chosen in the dialog and saved with the profile. */
function NewConnection({ form, onOpenDialog }: { form: UseFormReturn<ProfileFormValues>; onOpenDialog: () => void }) {
  const summary = useChoiceSummary(form.watch("connection"));
  return (
    <ConnectionField
      summary={summary}
      emptyText="Not set up yet. Save the profile first and create its connection afterwards, or set it up now."
      error={form.formState.errors.connection?.message}
      actions={
        <Button variant="light" leftSection={<IconPlugConnected size={16} />} onClick={onOpenDialog}>
          {summary ? "Edit connection" : "Set up connection"}
        </Button>
      }
    />
  );
}
