import { Stack, Text, Title } from "@mantine/core";

import { ReclaimableCandidates } from "./confirm/ReclaimableCandidates";

/** Removal Candidates across every profile. */
export function RemovalCandidatesPage() {
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Removal Candidates</Title>
        <Text c="dimmed" size="sm" maw={820}>
          Paid seats unused for longer than their rule's last activity threshold, in every profile: skip or protect the
          seats that must stay, notify users where the rule asks for it, reclaim the rest.
        </Text>
      </Stack>
      <ReclaimableCandidates />
    </Stack>
  );
}
