import { Button, Group, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconPlugConnected, IconSend, IconTrash } from "@tabler/icons-react";
import { useLocation } from "wouter";

import type { Profile } from "../../bindings/profiles";
import { notifyError, notifySuccess } from "../../components/notify";
import { useDeleteProfile, usePublishProfile, useValidateConnection } from "./queries";

interface ProfileActionsProps {
  profile: Profile;
  /** Unsaved changes in the form: validate and publish act on the saved profile, so save first. */
  dirty: boolean;
}

function jobNames(profile: Profile): string {
  const subscriptions = `“Refresh ${profile.displayName} Subscriptions”`;
  return profile.downloadActivity ? `${subscriptions} and “Refresh ${profile.displayName} Events”` : subscriptions;
}

/** Validate Connection, Publish and Delete for a saved profile. */
export function ProfileActions({ profile, dirty }: ProfileActionsProps) {
  const [, navigate] = useLocation();
  const validate = useValidateConnection(profile.id);
  const publish = usePublishProfile(profile.id);
  const remove = useDeleteProfile(profile.id);
  const isDraft = profile.status === "Draft";
  const validated = profile.lastValidation?.ok === true;

  const onValidate = () =>
    validate.mutate(undefined, {
      onSuccess: (result) => {
        if (result.ok) notifySuccess("Connection validated", "You can publish the profile now.");
      },
      onError: (error) => notifyError("Could not validate the connection", error),
    });

  const onPublish = () =>
    modals.openConfirmModal({
      title: "Publish Confirmation",
      children: (
        <Text size="sm">
          Publish “{profile.displayName}”? Seatkeeper schedules {jobNames(profile)} to run daily and “Reconcile{" "}
          {profile.displayName} Subscriptions” to run weekly, the first runs right away.
        </Text>
      ),
      labels: { confirm: "OK", cancel: "Cancel" },
      onConfirm: () =>
        publish.mutate(undefined, {
          onSuccess: (published) =>
            notifySuccess(
              "Profile published",
              `${jobNames(published)} ${published.jobs.length > 1 ? "are" : "is"} scheduled.`,
            ),
          onError: (error) => notifyError("Could not publish the profile", error),
        }),
    });

  const onDelete = () =>
    modals.openConfirmModal({
      title: "Delete profile",
      children: (
        <Text size="sm">
          Delete “{profile.displayName}”? Its scheduled jobs and validation are deleted with it, and so is its
          connection (with the API key in the keychain) when no other profile uses it. Its removal candidates and its
          audit records (every change Seatkeeper made to its seats) are deleted too: audit records are otherwise never
          deleted. Export its Audit Log first if you need to keep it. This can't be undone.
        </Text>
      ),
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(undefined, {
          onSuccess: () => {
            notifySuccess("Profile deleted", `“${profile.displayName}” is deleted.`);
            navigate("/");
          },
          onError: (error) => notifyError("Could not delete the profile", error),
        }),
    });

  return (
    <>
      {isDraft && (
        <Button
          variant="default"
          leftSection={<IconPlugConnected size={16} />}
          onClick={onValidate}
          loading={validate.isPending}
          disabled={dirty || profile.connection === null}
        >
          Validate Connection
        </Button>
      )}
      {isDraft && (
        <Button
          leftSection={<IconSend size={16} />}
          onClick={onPublish}
          loading={publish.isPending}
          disabled={dirty || !validated || profile.connection === null}
        >
          Publish
        </Button>
      )}
      <Button
        variant="subtle"
        color="red"
        leftSection={<IconTrash size={16} />}
        onClick={onDelete}
        loading={remove.isPending}
      >
        Delete
      </Button>
    </>
  );
}

/** Why Validate Connection or Publish can't be used right now, if they can't. */
export function ActionHint({ profile, dirty }: ProfileActionsProps) {
  const hint =
    profile.status !== "Draft"
      ? null
      : dirty
        ? "Save your changes before validating or publishing."
        : profile.connection === null
          ? "Create New Connection & Credential first: Validate Connection and Publish need it."
          : profile.lastValidation?.ok
          ? null
          : "Publish becomes available after a successful Validate Connection.";
  return hint ? (
    <Group justify="flex-end">
      <Text size="xs" c="dimmed" data-testid="action-hint">
        {hint}
      </Text>
    </Group>
  ) : null;
}
