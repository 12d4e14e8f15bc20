import { Stack, Text, Title } from "@mantine/core";

import { useLinkParams } from "../usage/links";
import { ReclaimableCandidates } from "./confirm/ReclaimableCandidates";

/** Removal Candidates across every profile; a link may open it on one profile's model (`?profile=&model=`). */
export function RemovalCandidatesPage() {
  const initialFilter = useLinkParams();
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Removal Candidates</Title>
        <Text c="dimmed" size="sm" maw={820}>
          Paid seats unused for longer than their rule's last activity threshold, in every profile: skip or protect the
          seats that must stay, notify users where the rule asks for it, reclaim the rest.
        </Text>
      </Stack>
      <ReclaimableCandidates initialFilter={initialFilter} />
    </Stack>
  );
}
