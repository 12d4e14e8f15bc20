import { Anchor, Button, Group, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconRulerMeasure } from "@tabler/icons-react";
import { Link, useLocation } from "wouter";

import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { StatusBadge } from "../../components/StatusBadge";
import { useProfiles } from "../profiles/queries";
import { ReclamationRulesTable } from "./ReclamationRulesTable";

/**
 * Reclamation Rules across profiles: one list per profile (published ones first), each rule
 * editable here as on the profile's related list.
 */
export function ReclamationRulesPage() {
  const [, navigate] = useLocation();
  const profiles = useProfiles();

  let body;
  if (profiles.isPending) body = <Skeleton h={200} data-testid="rules-page-loading" />;
  else if (profiles.isError)
    body = (
      <ErrorAlert title="Could not load the profiles" error={profiles.error} onRetry={() => void profiles.refetch()} />
    );
  else if (profiles.data.length === 0)
    body = (
      <EmptyState
        icon={<IconRulerMeasure size={26} />}
        title="No integration profile yet"
        action={<Button onClick={() => navigate("/profiles/new")}>New profile</Button>}
      >
        Each software model of a profile gets a reclamation rule at its first refresh. Create and publish a profile
        first.
      </EmptyState>
    );
  else {
    const ordered = [...profiles.data].sort(
      (a, b) => Number(b.status === "Published") - Number(a.status === "Published") || a.displayName.localeCompare(b.displayName),
    );
    body = ordered.map((profile) => (
      <Stack key={profile.id} gap="xs" component="section" aria-label={`Reclamation Rules of ${profile.displayName}`}>
        <Group gap="sm">
          <Title order={3} size="h4">
            <Link href={`/profiles/${profile.id}`} asChild>
              <Anchor inherit>{profile.displayName}</Anchor>
            </Link>
          </Title>
          <StatusBadge status={profile.status} size="sm" />
        </Group>
        <ReclamationRulesTable profile={profile} />
      </Stack>
    ));
  }

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Reclamation Rules</Title>
        <Text c="dimmed" size="sm" maw={820}>
          One rule per software model: when a paid seat without activity becomes a removal candidate, whether the user
          is notified first, and what reclaiming does. Models that are not paid (PROVISIONAL_MEMBER is free for now)
          produce no candidates.
        </Text>
      </Stack>
      {body}
    </Stack>
  );
}
