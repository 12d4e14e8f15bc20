import { AppShell, Group, Text, ThemeIcon, Title } from "@mantine/core";
import { IconArmchair } from "@tabler/icons-react";
import { useLayoutEffect } from "react";
import { Redirect, Route, Switch, useLocation } from "wouter";

import { ConnectionsPage } from "../features/connections/ConnectionsPage";
import { EntitlementsPage } from "../features/entitlements/EntitlementsPage";
import { NewProfilePage } from "../features/profiles/NewProfilePage";
import { ProfilePage } from "../features/profiles/ProfilePage";
import { WelcomeScreen } from "../features/profiles/WelcomeScreen";
import { AuditLogPage } from "../features/reclaim/AuditLogPage";
import { useReclaimFollowsJobs } from "../features/reclaim/queries";
import { ReclamationRulesPage } from "../features/reclaim/ReclamationRulesPage";
import { RemovalCandidatesPage } from "../features/reclaim/RemovalCandidatesPage";
import { LicenseUsagePage } from "../features/usage/LicenseUsagePage";
import { useUsageFollowsChanges } from "../features/usage/queries";
import { AppNav } from "./AppNav";

export function App() {
  useReclaimFollowsJobs();
  useUsageFollowsChanges();
  useScreenOpensAtItsTop();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: { base: 260, lg: 300 }, breakpoint: 0 }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm">
          <ThemeIcon variant="light" size="lg" aria-hidden>
            <IconArmchair size={20} />
          </ThemeIcon>
          <Title order={1} size="h3">
            Seatkeeper
          </Title>
          <Text c="dimmed" size="sm" visibleFrom="md">
            Smartsheet seats, tracked and reclaimed
          </Text>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar>
        <AppNav />
      </AppShell.Navbar>
      <AppShell.Main>
        <Switch>
          <Route path="/">
            <WelcomeScreen />
          </Route>
          <Route path="/usage">
            <LicenseUsagePage />
          </Route>
          <Route path="/candidates">
            <RemovalCandidatesPage />
          </Route>
          <Route path="/reclamation-rules">
            <ReclamationRulesPage />
          </Route>
          <Route path="/entitlements">
            <EntitlementsPage />
          </Route>
          <Route path="/audit">
            <AuditLogPage />
          </Route>
          <Route path="/connections">
            <ConnectionsPage />
          </Route>
          <Route path="/profiles/new">
            <NewProfilePage />
          </Route>
          <Route path="/profiles/:id">
            {({ id }) => (/^\d+$/.test(id) ? <ProfilePage key={id} id={Number(id)} /> : <Redirect to="/" />)}
          </Route>
          <Route>
            <Redirect to="/" />
          </Route>
        </Switch>
      </AppShell.Main>
    </AppShell>
  );
}

/**
 * Another screen opens at its top. The window scrolls, not the screen, so without this the next
 * screen would open where the last one was left (clamped to its own height): Removal Candidates
 * opened from a profile scrolled down to its related lists showed its end, its filters out of view.
 */
function useScreenOpensAtItsTop() {
  const [location] = useLocation();
  useLayoutEffect(() => window.scrollTo(0, 0), [location]);
}
