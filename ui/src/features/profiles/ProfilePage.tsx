import { Button, Stack } from "@mantine/core";
import { IconFileUnknown } from "@tabler/icons-react";
import { useLocation } from "wouter";

import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { IpcError } from "../../lib/ipc";
import { ProfileForm } from "./ProfileForm";
import { ProfileSkeleton } from "./ProfileSkeleton";
import { useDefaultActivityStart, useProfile, useUpdateProfile } from "./queries";
import { RelatedLists } from "./related/RelatedLists";

export function ProfilePage({ id }: { id: number }) {
  const [, navigate] = useLocation();
  const profile = useProfile(id);
  const activityStart = useDefaultActivityStart();
  const update = useUpdateProfile(id);

  if (profile.isPending || activityStart.isPending) return <ProfileSkeleton />;
  if (profile.isError) {
    if (IpcError.from(profile.error).code === "NotFound") {
      return (
        <EmptyState
          icon={<IconFileUnknown size={26} />}
          title="This profile doesn't exist any more"
          action={<Button onClick={() => navigate("/")}>Back to the start</Button>}
        >
          It may have been deleted. Choose another profile in the list, or create a new one.
        </EmptyState>
      );
    }
    return (
      <ErrorAlert title="Could not load the profile" error={profile.error} onRetry={() => void profile.refetch()} />
    );
  }
  if (activityStart.isError) {
    return (
      <ErrorAlert
        title="Could not load the profile"
        error={activityStart.error}
        onRetry={() => void activityStart.refetch()}
      />
    );
  }

  const current = profile.data;
  return (
    <Stack gap="xl">
      <ProfileForm
        profile={current}
        defaultActivityStart={activityStart.data}
        onSave={async (input) => {
          const saved = await update.mutateAsync(input);
          notifySuccess(
            "Profile saved",
            current.status === "Published" && saved.status === "Draft"
              ? `“${saved.displayName}” is back to Draft: validate the connection and publish it again.`
              : `“${saved.displayName}” is saved.`,
          );
          return saved;
        }}
      />
      <RelatedLists profile={current} />
    </Stack>
  );
}
