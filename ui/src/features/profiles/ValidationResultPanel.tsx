import { Alert, Button, Group, Table, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconCircleCheck, IconCircleX, IconInfoCircle, IconWorldSearch } from "@tabler/icons-react";

import type {
  ConnectionPreset,
  Profile,
  ProfileStatus,
  ValidationFailure,
  ValidationResult,
} from "../../bindings/profiles";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../lib/dates";
import { usePresets } from "../connections/queries";
import { useFindKeyRegion } from "./queries";

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
  /** The saved profile, for Find the key's region after a refused key. */
  profile?: Profile;
  /** Opens the profile's connection to change its Connection URL. */
  onEditConnection?: () => void;
}

/** The profile's latest Validate Connection result, while it still applies. */
export function ValidationResultPanel({ validation, status, profile, onEditConnection }: ValidationResultPanelProps) {
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
        {validation.failure === "InvalidToken" && profile?.connection && (
          <KeyRegionSearch profile={profile} onEditConnection={onEditConnection} />
        )}
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

/** The hosts of the regions other than the connection's, as the confirmation names them. */
function otherHosts(presets: readonly ConnectionPreset[], own: string | undefined): string {
  const ownHost = own ? new URL(own).host : null;
  return presets
    .map((p) => new URL(p.url).host)
    .filter((host) => host !== ownHost)
    .join(", ");
}

/**
 * Find the key's region: a refused key may be another region's (Gov, Europe, Australia). Sending it
 * to Smartsheet's other regional hosts needs the admin's go-ahead, which the confirmation asks for
 * by naming them; the core then asks each, read-only, and says which region accepted it.
 */
function KeyRegionSearch({ profile, onEditConnection }: { profile: Profile; onEditConnection?: () => void }) {
  const presets = usePresets();
  const search = useFindKeyRegion(profile.id);
  const onFind = () =>
    modals.openConfirmModal({
      title: "Find the key's region",
      children: (
        <Text size="sm">
          Seatkeeper will send this API key to Smartsheet's other regional API hosts
          {presets.data ? ` (${otherHosts(presets.data, profile.connection?.url)})` : ""} and ask each, read-only, whether the key belongs
          there. Nothing is changed in Smartsheet. Continue?
        </Text>
      ),
      labels: { confirm: "Ask the other regions", cancel: "Cancel" },
      onConfirm: () => search.mutate(),
    });
  return (
    <>
      <Group mt="sm" gap="xs">
        <Button
          size="xs"
          variant="default"
          leftSection={<IconWorldSearch size={14} aria-hidden />}
          onClick={onFind}
          loading={search.isPending}
        >
          Find the key's region
        </Button>
      </Group>
      {search.isError && <ErrorAlert title="Could not ask the other regions" error={search.error} />}
      {search.data && (
        <Alert
          mt="sm"
          variant="light"
          color={search.data.region ? "blue" : "gray"}
          title={search.data.region ? `The key belongs to Smartsheet ${search.data.region.label}` : "No other region accepted the key"}
          data-testid="region-search"
        >
          <Text size="sm">{search.data.message}</Text>
          {search.data.region && onEditConnection && (
            <Button size="xs" mt="xs" variant="light" onClick={onEditConnection}>
              Edit connection
            </Button>
          )}
        </Alert>
      )}
    </>
  );
}
