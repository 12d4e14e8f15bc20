import { Button, Group, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { IconFlask, IconPlugConnected, IconPlus, IconSend, IconSettings } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { useLocation } from "wouter";

import { ErrorAlert } from "../../components/ErrorAlert";
import { notifySuccess } from "../../components/notify";
import { useProfiles, useStartDemo } from "./queries";

const STEPS: { icon: ReactNode; title: string; text: string }[] = [
  {
    icon: <IconSettings size={18} />,
    title: "1. Create a profile",
    text: "One integration profile per Smartsheet organization, with its Connection & Credential: the region's API address and a System Admin's API key.",
  },
  {
    icon: <IconPlugConnected size={18} />,
    title: "2. Validate Connection",
    text: "Seatkeeper checks the address, the key and the admin role, and whether Event Reporting is available. It only reads.",
  },
  {
    icon: <IconSend size={18} />,
    title: "3. Publish",
    text: "Daily jobs then refresh the organization's subscriptions and user activity.",
  },
];

/** The start page: what Seatkeeper does, and the two ways to begin. */
export function WelcomeScreen() {
  const [, navigate] = useLocation();
  const profiles = useProfiles();
  const demo = useStartDemo();
  const hasProfiles = (profiles.data?.length ?? 0) > 0;

  const onDemo = () =>
    demo.mutate(undefined, {
      onSuccess: (profile) => {
        notifySuccess(
          "Demo organization started",
          `“${profile.displayName}” is ready. Validate its connection, then publish it.`,
        );
        navigate(`/profiles/${profile.id}`);
      },
    });

  return (
    <Stack maw={760} mx="auto" py="xl" gap="lg" data-testid="welcome">
      <div>
        <Title order={2}>Welcome to Seatkeeper</Title>
        <Text mt="xs">
          Seatkeeper tracks the paid seats of your Smartsheet organization, shows who really uses them, and reclaims the
          unused ones — always after your review. Your API key never leaves this computer: it is kept in the system
          keychain.
        </Text>
      </div>
      <SimpleGrid cols={3} spacing="md">
        {STEPS.map((step) => (
          <Paper key={step.title} withBorder p="md" radius="md">
            <Group gap="xs" mb={6} wrap="nowrap">
              <ThemeIcon variant="light" aria-hidden>
                {step.icon}
              </ThemeIcon>
              <Text fw={600} size="sm">
                {step.title}
              </Text>
            </Group>
            <Text size="sm" c="dimmed">
              {step.text}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Text size="sm">
        {hasProfiles
          ? "Open a profile from the list, or start another one."
          : "You have no integration profiles yet. Create one for your organization, or look around with a simulated one first."}
      </Text>
      <Group>
        <Button leftSection={<IconPlus size={16} />} onClick={() => navigate("/profiles/new")}>
          New profile
        </Button>
        <Button variant="default" leftSection={<IconFlask size={16} />} loading={demo.isPending} onClick={onDemo}>
          Try the demo organization
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        The demo organization is simulated inside Seatkeeper: no Smartsheet account is needed and nothing is sent
        anywhere.
      </Text>
      {demo.isError && <ErrorAlert title="Could not start the demo organization" error={demo.error} />}
    </Stack>
  );
}
