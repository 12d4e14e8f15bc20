import { Stack, Tabs, Title } from "@mantine/core";
import { IconDatabaseOff } from "@tabler/icons-react";

import type { Profile } from "../../../bindings/profiles";
import { EmptyState } from "../../../components/EmptyState";
import { ScheduledJobsTable } from "./ScheduledJobsTable";

/** The procedure's related lists, in its order. */
const RELATED_LISTS = [
  "Software Models",
  "Unrecognized Subscription Identifiers",
  "Scheduled Jobs",
  "Scheduled Job Results",
  "Software Subscriptions",
  "Subscription Identifier Exclusion Rule",
  "Subscription User Exclusion Rule",
] as const;

type RelatedList = (typeof RELATED_LISTS)[number];

export function RelatedLists({ profile }: { profile: Profile }) {
  return (
    <Stack gap="sm" component="section" aria-labelledby="related-lists-title">
      <Title order={3} size="h4" id="related-lists-title">
        Related lists
      </Title>
      <Tabs defaultValue={"Scheduled Jobs" satisfies RelatedList} keepMounted={false}>
        <Tabs.List>
          {RELATED_LISTS.map((list) => (
            <Tabs.Tab key={list} value={list}>
              {list}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {RELATED_LISTS.map((list) => (
          <Tabs.Panel key={list} value={list} pt="md">
            {list === "Scheduled Jobs" ? (
              <ScheduledJobsTable profile={profile} />
            ) : (
              <NotSyncedYet list={list} profile={profile} />
            )}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}

function NotSyncedYet({ list, profile }: { list: RelatedList; profile: Profile }) {
  return (
    <EmptyState icon={<IconDatabaseOff size={26} />} title={`No ${list} yet`} data-testid="related-list-empty">
      Available after the first refresh of {profile.displayName} Subscriptions.{" "}
      {profile.status === "Draft"
        ? "Validate the connection and publish the profile to schedule it."
        : "It runs daily once the profile is published."}
    </EmptyState>
  );
}
