import { Alert, Table, Text } from "@mantine/core";
import { IconCircleCheck, IconCircleX, IconInfoCircle } from "@tabler/icons-react";

import type { ProfileStatus, ValidationFailure, ValidationResult } from "../../bindings/profiles";
import { formatDateTime } from "../../lib/dates";

const FAILURE_TITLES: Record<ValidationFailure, string> = {
  InvalidUrl: "The Connection URL can't be used",
  Unreachable: "Smartsheet could not be reached",
  NotSmartsheet: "The Connection URL is not the Smartsheet API",
  InvalidToken: "Smartsheet did not accept the API key",
  TokenExpired: "The API key has expired",
  SingleSignOnRequired: "Smartsheet requires single sign-on",
  NotSystemAdmin: "The key's owner is not a System Admin",
  RateLimited: "Smartsheet asked to slow down",
  ServerError: "Smartsheet failed on its side",
  MissingApiKey: "The API key is missing from the keychain",
  Unexpected: "Smartsheet gave an unexpected answer",
};

interface ValidationResultPanelProps {
  validation: ValidationResult | null;
  status: ProfileStatus;
}

/** The profile's latest Validate Connection result, while it still applies. */
export function ValidationResultPanel({ validation, status }: ValidationResultPanelProps) {
  if (validation === null) {
    if (status === "Published") return null;
    return (
      <Alert
        variant="light"
        color="gray"
        icon={<IconInfoCircle />}
        role="note"
        data-testid="validation-result"
        data-state="none"
      >
        Not validated yet. Validate Connection checks the Connection URL, the API key and that its owner is a System
        Admin. It only reads from Smartsheet. Publishing needs a successful validation.
      </Alert>
    );
  }
  const validatedAt = (
    <Text size="xs" c="dimmed" mt="xs">
      Validated {formatDateTime(validation.validatedAt)}
    </Text>
  );
  if (!validation.ok) {
    return (
      <Alert
        variant="light"
        color="red"
        icon={<IconCircleX />}
        title={validation.failure ? FAILURE_TITLES[validation.failure] : "Validation failed"}
        role="alert"
        data-testid="validation-result"
        data-state="failed"
      >
        <Text size="sm">{validation.message}</Text>
        {validatedAt}
      </Alert>
    );
  }
  const owner = [validation.ownerName, validation.ownerEmail && `<${validation.ownerEmail}>`].filter(Boolean).join(" ");
  const rows: [string, string][] = [
    ["Token owner", owner || "—"],
    ["Role", validation.ownerIsAdmin ? "System Admin" : "—"],
    ["Organization", validation.organization ?? "—"],
    [
      "Event Reporting",
      validation.eventReporting
        ? "Available: user activity comes from Smartsheet's event stream"
        : "Not available: user activity will fall back to last-login dates",
    ],
  ];
  return (
    <Alert
      variant="light"
      color="teal"
      icon={<IconCircleCheck />}
      title="Connection validated"
      role="status"
      data-testid="validation-result"
      data-state="ok"
    >
      <Table variant="vertical" withRowBorders={false} verticalSpacing={2} fz="sm">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={140} bg="transparent">
                {label}
              </Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {validatedAt}
    </Alert>
  );
}
