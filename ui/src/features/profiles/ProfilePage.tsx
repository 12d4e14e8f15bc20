import { Button, Stack, Title } from "@mantine/core";
import { IconFileUnknown } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { useLocation } from "wouter";

import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { IpcError } from "../../lib/ipc";
import { LicenseUsageView } from "../usage/LicenseUsageView";
import { useLicenseUsage } from "../usage/queries";
import { ProfileForm } from "./ProfileForm";
import { ProfileSkeleton } from "./ProfileSkeleton";
import { useDefaultActivityStart, useProfile, useUpdateProfile } from "./queries";
import { RelatedLists } from "./related/RelatedLists";

export function ProfilePage({ id }: { id: number }) {
  const [, navigate] = useLocation();
  const profile = useProfile(id);
  const activityStart = useDefaultActivityStart();
  const update = useUpdateProfile(id);
  // A profile that was never refreshed has no usage to show: it is not asked for.
  const usage = useLicenseUsage(id, profile.data !== undefined && profile.data.lastSyncAt !== null);

  // The page opens as it will stay, with its License Usage first when there is data. Once open it
  // stays: the usage of a first refresh appears above the form, which is not replaced meanwhile.
  const loaded = !profile.isPending && !activityStart.isPending && !usage.isLoading;
  const [opened, setOpened] = useState(false);
  useEffect(() => {
    if (loaded) setOpened(true);
  }, [loaded]);
  if (profile.isPending || activityStart.isPending || (usage.isLoading && !opened)) return <ProfileSkeleton />;
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
      {(usage.data?.hasData || usage.isError) && (
        <Stack gap="sm" component="section" aria-labelledby="license-usage-title">
          <Title order={2} size="h4" id="license-usage-title">
            License Usage
          </Title>
          <LicenseUsageView profile={current} />
        </Stack>
      )}
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
