import { Alert, Button, Group, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";

import { IpcError } from "../lib/ipc";

interface ErrorAlertProps {
  title: string;
  error: unknown;
  onRetry?: () => void;
}

/** An error from the backend, with its message, and a retry when there is one. */
export function ErrorAlert({ title, error, onRetry }: ErrorAlertProps) {
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertTriangle />} role="alert">
      <Text size="sm">{IpcError.from(error).message}</Text>
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="default" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Alert>
  );
}
