import { Anchor, Group, Stack, Text, Title } from "@mantine/core";
import { IconRulerMeasure } from "@tabler/icons-react";
import { Link } from "wouter";

import { StatusBadge } from "../../components/StatusBadge";
import { ProfilesGate, publishedFirst } from "../profiles/ProfilesGate";
import { ReclamationRulesTable } from "./ReclamationRulesTable";

/**
 * Reclamation Rules across profiles: one list per profile (published ones first), each rule
 * editable here as on the profile's related list.
 */
export function ReclamationRulesPage() {
  const body = (
    <ProfilesGate
      loadingTestId="rules-page-loading"
      icon={<IconRulerMeasure size={26} />}
      empty="Each software model of a profile gets a reclamation rule at its first refresh. Create and publish a profile first."
    >
      {(profiles) =>
        publishedFirst(profiles).map((profile) => (
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
        ))
      }
    </ProfilesGate>
  );

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
