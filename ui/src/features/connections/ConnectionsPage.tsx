import { Anchor, Badge, Button, Group, Paper, Skeleton, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconPencil, IconPlugConnected, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "wouter";

import type { Connection, Profile } from "../../bindings/profiles";
import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifyError, notifySuccess } from "../../components/notify";
import { StatusBadge } from "../../components/StatusBadge";
import { maskedKey } from "../../lib/rules";
import { useProfiles } from "../profiles/queries";
import { ConnectionDialog } from "./ConnectionDialog";
import { useConnections, useDeleteConnection } from "./queries";

/**
 * Connection & Credential aliases as things of their own: every connection, the profiles that use
 * it, Edit (rename, a new Connection URL or API key, under the dialog's rules) and Delete of one
 * that no profile uses. A profile moves to another connection from its own page.
 */
export function ConnectionsPage() {
  const connections = useConnections();
  const profiles = useProfiles();
  const [editing, setEditing] = useState<Connection | null>(null);

  let body;
  if (connections.isPending || profiles.isPending) {
    body = (
      <Stack data-testid="connections-loading">
        <Skeleton h={40} />
        <Skeleton h={40} />
      </Stack>
    );
  } else if (connections.isError || profiles.isError) {
    const error = connections.error ?? profiles.error;
    body = (
      <ErrorAlert
        title="Could not load the connections"
        error={error}
        onRetry={() => void Promise.all([connections.refetch(), profiles.refetch()])}
      />
    );
  } else if (connections.data.length === 0) {
    body = (
      <EmptyState icon={<IconPlugConnected size={26} />} title="No connection yet">
        A connection is created from a profile: open the profile and select Create New Connection & Credential.
      </EmptyState>
    );
  } else {
    body = <ConnectionsTable connections={connections.data} profiles={profiles.data} onEdit={setEditing} />;
  }

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={2}>Connections & Credentials</Title>
        <Text c="dimmed" size="sm" maw={820}>
          Where and how Seatkeeper reaches Smartsheet: each connection's Connection URL and API key (kept in this
          computer's keychain). Profiles that share a connection share both; a new Connection URL or API key means
          validating each of them again.
        </Text>
      </Stack>
      {body}
      {editing && (
        <ConnectionDialog mode="edit" connection={editing} opened onClose={() => setEditing(null)} />
      )}
    </Stack>
  );
}

interface ConnectionsTableProps {
  connections: Connection[];
  profiles: Profile[];
  onEdit: (connection: Connection) => void;
}

function ConnectionsTable({ connections, profiles, onEdit }: ConnectionsTableProps) {
  const remove = useDeleteConnection();

  const onDelete = (connection: Connection) =>
    modals.openConfirmModal({
      title: "Delete connection",
      children: (
        <Text size="sm">
          Delete “{connection.name}”? Its API key is removed from this computer's keychain. No profile uses it. This
          can't be undone.
        </Text>
      ),
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(connection.id, {
          onSuccess: () => notifySuccess("Connection deleted", `“${connection.name}” and its API key are deleted.`),
          onError: (error) => notifyError("Could not delete the connection", error),
        }),
    });

  return (
    <Paper withBorder data-testid="connection-list">
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="sm" aria-label="Connections & Credentials">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Connection URL</Table.Th>
              <Table.Th>API Key</Table.Th>
              <Table.Th>Used by</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {connections.map((connection) => {
              const users = profiles.filter((p) => p.connection?.id === connection.id);
              return (
                <Table.Tr key={connection.id} data-testid={`connection-${connection.id}`}>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {connection.name}
                      </Text>
                      {connection.isDemo && (
                        <Badge size="sm" variant="light">
                          Demo
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ wordBreak: "break-all" }}>
                      {connection.url}
                    </Text>
                    {connection.trustedHost && (
                      <Text size="xs" c="orange">
                        Confirmed host: {connection.trustedHost}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {maskedKey(connection.keyLastFour)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {users.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        No profile
                      </Text>
                    ) : (
                      <Stack gap={4}>
                        {users.map((p) => (
                          <Group key={p.id} gap="xs" wrap="nowrap">
                            <Link href={`/profiles/${p.id}`} asChild>
                              <Anchor size="sm">{p.displayName}</Anchor>
                            </Link>
                            <StatusBadge status={p.status} size="xs" />
                          </Group>
                        ))}
                      </Stack>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button
                        size="xs"
                        variant="default"
                        leftSection={<IconPencil size={14} />}
                        onClick={() => onEdit(connection)}
                        aria-label={`Edit ${connection.name}`}
                      >
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        leftSection={<IconTrash size={14} />}
                        onClick={() => onDelete(connection)}
                        disabled={users.length > 0}
                        title={
                          users.length > 0
                            ? "Profiles use this connection: move them to another connection first."
                            : undefined
                        }
                        aria-label={`Delete ${connection.name}`}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed" p="sm">
        A connection in use can't be deleted. To move a profile to another connection, open the profile and select Use
        another connection.
      </Text>
    </Paper>
  );
}
