import { ScrollArea, Stack, Tabs, Title } from "@mantine/core";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import type { ComponentType } from "react";

import type { Profile } from "../../../bindings/profiles";
import { EntitlementsTable } from "../../entitlements/EntitlementsTable";
import { AuditLog } from "../../reclaim/audit/AuditLog";
import { ReclaimableCandidates } from "../../reclaim/confirm/ReclaimableCandidates";
import { ProtectedUsers } from "../../reclaim/ProtectedUsers";
import { prefetchCandidates } from "../../reclaim/queries";
import { ReclamationRulesTable } from "../../reclaim/ReclamationRulesTable";
import { IdentifierExclusionRules, UserExclusionRules } from "./ExclusionRules";
import { JobResultsTable } from "./JobResultsTable";
import { useJobEvents } from "./queries";
import { ScheduledJobsTable } from "./ScheduledJobsTable";
import { SoftwareModelsTable } from "./SoftwareModelsTable";
import { SubscriptionsTable } from "./SubscriptionsTable";
import { UnrecognizedIdentifiersTable } from "./UnrecognizedIdentifiersTable";

/** The procedure's related lists, in its order, then license management's, then reclamation's. */
const RELATED_LISTS = [
  ["Software Models", SoftwareModelsTable],
  ["Unrecognized Subscription Identifiers", UnrecognizedIdentifiersTable],
  ["Scheduled Jobs", ScheduledJobsTable],
  ["Scheduled Job Results", JobResultsTable],
  ["Software Subscriptions", SubscriptionsTable],
  ["Subscription Identifier Exclusion Rule", IdentifierExclusionRules],
  ["Subscription User Exclusion Rule", UserExclusionRules],
  ["Software Entitlements", EntitlementsTable],
  ["Reclamation Rules", ReclamationRulesTable],
  ["Removal Candidates", ReclaimableCandidates],
  ["Protected Users", ProtectedUsers],
  ["Audit Log", AuditLog],
] as const satisfies readonly (readonly [string, ComponentType<{ profile: Profile }>])[];

type RelatedList = (typeof RELATED_LISTS)[number][0];

/** Lists that start reading their first rows when the pointer comes to their tab or it is clicked. */
const PREFETCH: Partial<Record<RelatedList, (queryClient: QueryClient, profile: Profile) => void>> = {
  "Removal Candidates": (queryClient, profile) => prefetchCandidates(queryClient, profile.id),
};

/**
 * The tab's value: Mantine builds the tab's and panel's ids from it, and aria-controls and
 * aria-labelledby are lists of ids split at spaces, so it has none ("scheduled-jobs").
 */
function tabValue(list: RelatedList): string {
  return list.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

export function RelatedLists({ profile }: { profile: Profile }) {
  // Job progress and ends, for whichever list is shown.
  useJobEvents(profile.id);
  const queryClient = useQueryClient();
  return (
    <Stack gap="sm" component="section" aria-labelledby="related-lists-title">
      <Title order={3} size="h4" id="related-lists-title">
        Related lists
      </Title>
      <Tabs defaultValue={tabValue("Scheduled Jobs")} keepMounted={false}>
        {/*
          One row that scrolls sideways when the window is too narrow for all twelve (they wrapped
          onto three rows at 1280 px); the arrow keys move along it and bring the tab into view.
        */}
        <ScrollArea type="auto" scrollbarSize={6} offsetScrollbars="x" data-testid="related-tabs">
          <Tabs.List style={{ flexWrap: "nowrap" }}>
            {RELATED_LISTS.map(([list]) => (
              <Tabs.Tab
                key={list}
                value={tabValue(list)}
                style={{ whiteSpace: "nowrap" }}
                onPointerEnter={() => PREFETCH[list]?.(queryClient, profile)}
                onClick={() => PREFETCH[list]?.(queryClient, profile)}
              >
                {list}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </ScrollArea>
        {RELATED_LISTS.map(([list, List]) => (
          <Tabs.Panel key={list} value={tabValue(list)} pt="md">
            <List profile={profile} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
