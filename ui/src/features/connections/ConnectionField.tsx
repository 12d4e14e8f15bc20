import { Button, Group, Input, Paper, Stack, Text } from "@mantine/core";
import { IconPlugConnected } from "@tabler/icons-react";
import { useId } from "react";

import type { Connection } from "../../bindings/profiles";
import { maskedKey } from "../../lib/rules";

/** What the field shows of a connection: never the key, only its last four characters. */
export type ConnectionSummary = Pick<Connection, "name" | "url" | "keyLastFour">;

interface ConnectionFieldProps {
  summary: ConnectionSummary | null;
  error?: string;
  onOpenDialog: () => void;
}

/** The profile's "Connection & Credential" field: the connection at a glance, and its dialog. */
export function ConnectionField({ summary, error, onOpenDialog }: ConnectionFieldProps) {
  const labelId = useId();
  const errorId = useId();
  return (
    <Input.Wrapper
      label="Connection & Credential"
      labelElement="div"
      labelProps={{ id: labelId }}
      error={error}
      errorProps={{ id: errorId }}
    >
      <Paper
        withBorder
        p="sm"
        mt={4}
        role="group"
        aria-labelledby={labelId}
        aria-describedby={error ? errorId : undefined}
        style={error ? { borderColor: "var(--mantine-color-error)" } : undefined}
      >
        <Group justify="space-between" wrap="nowrap" gap="md">
          {summary ? (
            <Stack gap={2} data-testid="connection-summary" style={{ minWidth: 0 }}>
              <Text fw={500} truncate>
                {summary.name}
              </Text>
              <Text size="sm" c="dimmed" truncate>
                {summary.url}
              </Text>
              <Text size="sm" c="dimmed">
                API Key {maskedKey(summary.keyLastFour)}
              </Text>
            </Stack>
          ) : (
            <Text size="sm" c="dimmed" data-testid="connection-summary">
              Not set up yet. Create the connection to Smartsheet that this profile will use.
            </Text>
          )}
          <Button
            variant="light"
            leftSection={<IconPlugConnected size={16} />}
            onClick={onOpenDialog}
            style={{ flexShrink: 0 }}
          >
            {summary ? "Edit connection" : "Set up connection"}
          </Button>
        </Group>
      </Paper>
    </Input.Wrapper>
  );
}
