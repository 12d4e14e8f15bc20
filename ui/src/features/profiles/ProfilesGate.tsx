import { Button, Skeleton } from "@mantine/core";
import type { ReactNode } from "react";
import { useLocation } from "wouter";

import type { Profile } from "../../bindings/profiles";
import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useProfiles } from "./queries";

/** Published profiles first, then by name: the order of the screens that list every profile. */
export function publishedFirst(profiles: readonly Profile[]): Profile[] {
  return [...profiles].sort(
    (a, b) =>
      Number(b.status === "Published") - Number(a.status === "Published") ||
      a.displayName.localeCompare(b.displayName),
  );
}

interface ProfilesGateProps {
  /** The loading skeleton's test id. */
  loadingTestId: string;
  /** The empty state's icon, and what it says a profile is needed for. */
  icon: ReactNode;
  empty: ReactNode;
  /** The screen's body, once the profiles are read and there is at least one. */
  children: (profiles: Profile[]) => ReactNode;
}

/**
 * The profiles a screen across profiles shows (Reclamation Rules, Software Entitlements, License
 * Usage): loading, an error with Retry, or no profile yet (with New profile) before its body.
 */
export function ProfilesGate({ loadingTestId, icon, empty, children }: ProfilesGateProps) {
  const [, navigate] = useLocation();
  const profiles = useProfiles();
  if (profiles.isPending) return <Skeleton h={200} data-testid={loadingTestId} />;
  if (profiles.isError)
    return <ErrorAlert title="Could not load the profiles" error={profiles.error} onRetry={() => void profiles.refetch()} />;
  if (profiles.data.length === 0)
    return (
      <EmptyState
        icon={icon}
        title="No integration profile yet"
        action={<Button onClick={() => navigate("/profiles/new")}>New profile</Button>}
      >
        {empty}
      </EmptyState>
    );
  return <>{children(profiles.data)}</>;
}
