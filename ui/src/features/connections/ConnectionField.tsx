import { Group, Input, Paper, Stack, Text } from "@mantine/core";
import { type ReactNode, useId } from "react";

import type { Connection } from "../../bindings/profiles";
import { maskedKey } from "../../lib/rules";

/** What the field shows of a connection: never the key, only its last four characters. */
export type ConnectionSummary = Pick<Connection, "name" | "url" | "keyLastFour">;

interface ConnectionFieldProps {
  summary: ConnectionSummary | null;
  /** What the field says while there is no connection. */
  emptyText: string;
  error?: string;
  /** The field's buttons (the dialogs that set up or change the connection). */
  actions: ReactNode;
}

/** The profile's "Connection & Credential" field: the connection at a glance, and its actions. */
export function ConnectionField({ summary, emptyText, error, actions }: ConnectionFieldProps) {
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
              {emptyText}
            </Text>
          )}
          <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
            {actions}
          </Group>
        </Group>
      </Paper>
    </Input.Wrapper>
  );
}
