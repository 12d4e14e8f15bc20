import { Anchor, Group, Select, Stack, Text, Title } from "@mantine/core";
import { IconChartBar } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "wouter";

import { StatusBadge } from "../../components/StatusBadge";
import { ProfilesGate, publishedFirst } from "../profiles/ProfilesGate";
import { useLinkParams } from "./links";
import { LicenseUsageView } from "./LicenseUsageView";

/** License Usage of one profile at a time, chosen in a picker (published profiles first). */
export function LicenseUsagePage() {
  const link = useLinkParams();
  const [chosen, setChosen] = useState<number | null>(link.profileId);

  const body = (
    <ProfilesGate
      loadingTestId="usage-page-loading"
      icon={<IconChartBar size={26} />}
      empty="License usage comes from a published profile's subscriptions and entitlements. Create and publish a profile first."
    >
      {(profiles) => {
        const ordered = publishedFirst(profiles);
        const profile = ordered.find((p) => p.id === chosen) ?? ordered[0]!;
        return (
          <>
            <Group gap="sm" align="flex-end">
              <Select
                label="Profile"
                data={ordered.map((p) => ({ value: String(p.id), label: p.displayName }))}
                value={String(profile.id)}
                onChange={(value) => value !== null && setChosen(Number(value))}
                allowDeselect={false}
                w={260}
              />
              <StatusBadge status={profile.status} size="sm" />
              <Link href={`/profiles/${profile.id}`} asChild>
                <Anchor size="sm">Open the profile</Anchor>
              </Link>
            </Group>
            <Stack component="section" aria-label={`License Usage of ${profile.displayName}`}>
              <LicenseUsageView key={profile.id} profile={profile} />
            </Stack>
          </>
        );
      }}
    </ProfilesGate>
  );

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>License Usage</Title>
        <Text c="dimmed" size="sm" maw={820}>
          Rights owned against seats in use for each software model: compliance, the true-up cost of the rights
          missing, and what reclaiming unused seats saves (potential) and has saved (actual).
        </Text>
      </Stack>
      {body}
    </Stack>
  );
}
