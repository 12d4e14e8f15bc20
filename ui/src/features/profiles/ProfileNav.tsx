import { Box, Button, NavLink, ScrollArea, Skeleton, Stack, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { Link, useLocation } from "wouter";

import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../lib/dates";
import { StatusBadge } from "../../components/StatusBadge";
import { useProfiles } from "./queries";

/** The sidebar: every integration profile, and "New profile". */
export function ProfileNav() {
  const [location, navigate] = useLocation();
  const profiles = useProfiles();

  return (
    <Stack h="100%" gap={0}>
      <Box p="md" pb="sm">
        <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb="xs" id="profile-nav-title">
          Integration profiles
        </Text>
        <Button
          fullWidth
          variant="light"
          leftSection={<IconPlus size={16} />}
          onClick={() => navigate("/profiles/new")}
        >
          New profile
        </Button>
      </Box>
      <ScrollArea style={{ flex: 1 }} px="xs" pb="md">
        <nav aria-labelledby="profile-nav-title">
          {profiles.isPending ? (
            <Stack gap="xs" px="xs" data-testid="profile-nav-loading">
              <Skeleton h={44} />
              <Skeleton h={44} />
              <Skeleton h={44} />
            </Stack>
          ) : profiles.isError ? (
            <Box px="xs">
              <ErrorAlert
                title="Could not load the profiles"
                error={profiles.error}
                onRetry={() => void profiles.refetch()}
              />
            </Box>
          ) : profiles.data.length === 0 ? (
            <Text size="sm" c="dimmed" px="xs">
              No profiles yet.
            </Text>
          ) : (
            profiles.data.map((profile) => {
              const href = `/profiles/${profile.id}`;
              // Link gives the anchor its href ("#/profiles/…" in the app) and its click handling.
              return (
                <Link key={profile.id} href={href} asChild>
                  <NavLink
                    component="a"
                    active={location === href}
                    aria-current={location === href ? "page" : undefined}
                    label={profile.displayName}
                    description={
                      profile.lastSyncAt ? `Last sync ${formatDateTime(profile.lastSyncAt)}` : "Never synced"
                    }
                    rightSection={<StatusBadge status={profile.status} size="sm" />}
                    style={{ borderRadius: "var(--mantine-radius-sm)" }}
                  />
                </Link>
              );
            })
          )}
        </nav>
      </ScrollArea>
    </Stack>
  );
}
