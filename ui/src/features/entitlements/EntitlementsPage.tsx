import { Alert, Anchor, Button, Group, Stack, Text, Title } from "@mantine/core";
import { IconCertificate, IconFilter } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "wouter";

import type { Profile } from "../../bindings/profiles";
import { StatusBadge } from "../../components/StatusBadge";
import { useModels } from "../profiles/related/queries";
import { ProfilesGate, publishedFirst } from "../profiles/ProfilesGate";
import { useLinkParams } from "../usage/links";
import { EntitlementsTable } from "./EntitlementsTable";

/** Published profiles first, then by name (as Reclamation Rules lists them). */

/**
 * Software Entitlements across profiles: one list per profile (published ones first). A link from
 * the License Usage view opens it on one profile's model (`?profile=1&model=2`).
 */
export function EntitlementsPage() {
  const link = useLinkParams();
  const [only, setOnly] = useState(link.profileId === null ? null : link);

  const body = (
    <ProfilesGate
      loadingTestId="entitlements-page-loading"
      icon={<IconCertificate size={26} />}
      empty="Entitlements belong to a profile's software models, which its first refresh creates. Create and publish a profile first."
    >
      {(profiles) => {
        const focused = only === null ? undefined : profiles.find((p) => p.id === only.profileId);
        const shown = focused ? [focused] : publishedFirst(profiles);
        return (
          <>
            {focused && only && <FilterNote profile={focused} modelId={only.modelId} onClear={() => setOnly(null)} />}
            {shown.map((profile) => (
              <Stack key={profile.id} gap="xs" component="section" aria-label={`Software Entitlements of ${profile.displayName}`}>
                <Group gap="sm">
                  <Title order={3} size="h4">
                    <Link href={`/profiles/${profile.id}`} asChild>
                      <Anchor inherit>{profile.displayName}</Anchor>
                    </Link>
                  </Title>
                  <StatusBadge status={profile.status} size="sm" />
                </Group>
                <EntitlementsTable profile={profile} modelId={focused ? (only?.modelId ?? null) : null} />
              </Stack>
            ))}
          </>
        );
      }}
    </ProfilesGate>
  );

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Software Entitlements</Title>
        <Text c="dimmed" size="sm" maw={820}>
          What the organization bought for each software model: purchased rights, unit cost, billing period and term.
          Rights of entitlements in use count as owned; the reconciliation compares them with the seats in use, and
          their cost replaces the rule's cost per seat in savings.
        </Text>
      </Stack>
      {body}
    </Stack>
  );
}

/** "Showing the entitlements of Smartsheet Member (Acme)", and a way back to every list. */
function FilterNote({ profile, modelId, onClear }: { profile: Profile; modelId: number | null; onClear: () => void }) {
  const models = useModels(profile.id);
  const model = modelId === null ? undefined : models.data?.find((m) => m.id === modelId);
  const what = modelId === null ? profile.displayName : `${model?.name ?? "the chosen model"} (${profile.displayName})`;
  return (
    <Alert variant="light" color="blue" icon={<IconFilter />} data-testid="entitlements-filter">
      <Group justify="space-between" gap="sm">
        <Text size="sm">Showing the entitlements of {what}.</Text>
        <Button size="xs" variant="default" onClick={onClear}>
          Show every entitlement
        </Button>
      </Group>
    </Alert>
  );
}
