import { Stack, Text, Title } from "@mantine/core";

import { CandidateReview } from "./candidates/CandidateReview";

/** Removal Candidates across every profile. */
export function RemovalCandidatesPage() {
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Removal Candidates</Title>
        <Text c="dimmed" size="sm" maw={820}>
          Paid seats without activity within their rule's last activity threshold, in every profile. Review them here:
          skip or protect the seats that must stay, notify users where the rule asks for it, and reclaim the rest.
        </Text>
      </Stack>
      <CandidateReview />
    </Stack>
  );
}
