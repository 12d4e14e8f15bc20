import { Stack, Text, Title } from "@mantine/core";

import { AuditLog } from "./audit/AuditLog";

/** The Audit Log across every profile. */
export function AuditLogPage() {
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Audit Log</Title>
        <Text c="dimmed" size="sm" maw={820}>
          Every change Seatkeeper made to a Smartsheet seat, in every profile: who, the seat before and after, what
          Smartsheet answered, and who confirmed it. Undo gives a seat back.
        </Text>
      </Stack>
      <AuditLog />
    </Stack>
  );
}
