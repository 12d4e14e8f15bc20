import { useLocation } from "wouter";

import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { ProfileForm } from "./ProfileForm";
import { ProfileSkeleton } from "./ProfileSkeleton";
import { useCreateProfile, useDefaultActivityStart } from "./queries";

export function NewProfilePage() {
  const [, navigate] = useLocation();
  const activityStart = useDefaultActivityStart();
  const create = useCreateProfile();

  if (activityStart.isPending) return <ProfileSkeleton />;
  if (activityStart.isError) {
    return (
      <ErrorAlert
        title="Could not prepare a new profile"
        error={activityStart.error}
        onRetry={() => void activityStart.refetch()}
      />
    );
  }
  return (
    <ProfileForm
      defaultActivityStart={activityStart.data}
      onCancel={() => navigate("/")}
      onSave={async (input, connection) => {
        const profile = await create.mutateAsync({ input, connection });
        notifySuccess(
          "Profile created",
          profile.connection
            ? `“${profile.displayName}” is saved as Draft. Next: Validate Connection.`
            : `“${profile.displayName}” is saved as Draft. Next: Create New Connection & Credential.`,
        );
        navigate(`/profiles/${profile.id}`);
        return profile;
      }}
    />
  );
}
