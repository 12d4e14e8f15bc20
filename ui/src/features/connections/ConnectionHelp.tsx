import { Accordion, List, Table, Text } from "@mantine/core";
import { IconKey, IconShieldLock } from "@tabler/icons-react";

const PERMISSIONS = [
  { process: "Download subscriptions", role: "admin", scopes: "None" },
  { process: "Pull user activity", role: "admin", scopes: "None" },
  { process: "Reclaim subscription", role: "admin", scopes: "None" },
] as const;

/** The procedure's "Minimal user permissions" table and how to generate an API access token. */
export function ConnectionHelp() {
  return (
    <Accordion variant="contained" multiple>
      <Accordion.Item value="permissions">
        <Accordion.Control icon={<IconShieldLock size={18} />}>Minimal user permissions</Accordion.Control>
        <Accordion.Panel>
          <Text size="sm" mb="xs">
            Grant only what Seatkeeper needs: the token's owner must be a Smartsheet System Admin.
          </Text>
          <Table withTableBorder striped fz="sm" data-testid="permissions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Process</Table.Th>
                <Table.Th>Required user role in Smartsheet</Table.Th>
                <Table.Th>Authentication scopes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {PERMISSIONS.map((row) => (
                <Table.Tr key={row.process}>
                  <Table.Td>{row.process}</Table.Td>
                  <Table.Td>{row.role}</Table.Td>
                  <Table.Td>{row.scopes}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="token">
        <Accordion.Control icon={<IconKey size={18} />}>How to get a Smartsheet API access token</Accordion.Control>
        <Accordion.Panel>
          <List type="ordered" size="sm" spacing={4}>
            <List.Item>Log in to Smartsheet in a web browser, as a System Admin.</List.Item>
            <List.Item>
              Select the account icon on the side navigation bar, then <b>Apps &amp; Integrations</b>.
            </List.Item>
            <List.Item>
              In Personal Settings, select <b>API Access</b>, then <b>Generate new access token</b>.
            </List.Item>
            <List.Item>Name the token (for example “Seatkeeper”) and select OK.</List.Item>
            <List.Item>
              Copy the token at once — Smartsheet shows it only once — and paste it into <b>API Key</b>.
            </List.Item>
          </List>
          <Text size="xs" c="dimmed" mt="xs">
            Seatkeeper keeps the key in this computer's keychain and only ever shows its last four characters.
          </Text>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
