import "@mantine/core/styles.css";
// After core's, as Mantine asks.
import "@mantine/charts/styles.css";
import "@mantine/dates/styles.css";
import "@mantine/notifications/styles.css";

import { MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { Notifications } from "@mantine/notifications";
import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { type BaseLocationHook, Router } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";

import { theme } from "./theme";

interface AppProvidersProps {
  queryClient: QueryClient;
  /** Where the router reads and writes the location; the URL hash in the app. */
  locationHook?: BaseLocationHook;
  /** "test" turns off Mantine's transitions and portals. */
  env?: "default" | "test";
  children: ReactNode;
}

export function AppProviders({ queryClient, locationHook = useHashLocation, env, children }: AppProvidersProps) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" env={env}>
      <QueryClientProvider client={queryClient}>
        <ModalsProvider>
          {/*
            Over the navigation's foot (its width, less a margin), never over the lists and forms
            that admins work in; a confirmation goes after 4 s, an error stays until closed.
          */}
          <Notifications position="bottom-left" containerWidth={236} limit={3} autoClose={4000} />
          <Router hook={locationHook}>{children}</Router>
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
