import { Box, NavLink, Stack, Text } from "@mantine/core";
import {
  IconCertificate,
  IconChartBar,
  IconHistory,
  IconListCheck,
  IconPlugConnected,
  IconRulerMeasure,
  type TablerIcon,
} from "@tabler/icons-react";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation } from "wouter";

import { ProfileNav } from "../features/profiles/ProfileNav";
import { prefetchCandidates } from "../features/reclaim/queries";

interface Screen {
  href: string;
  label: string;
  Icon: TablerIcon;
  /** Starts reading what the screen shows first, when the pointer comes to its link or it is clicked. */
  prefetch?: (queryClient: QueryClient) => void;
}

/**
 * The screens across profiles, in ServiceNow's two groups (License management, then Reclamation),
 * then the profiles themselves.
 */
const GROUPS: readonly { id: string; title: string; screens: readonly Screen[] }[] = [
  {
    id: "license-nav-title",
    title: "License management",
    screens: [
      { href: "/usage", label: "License Usage", Icon: IconChartBar },
      { href: "/entitlements", label: "Software Entitlements", Icon: IconCertificate },
      { href: "/connections", label: "Connections & Credentials", Icon: IconPlugConnected },
    ],
  },
  {
    id: "reclaim-nav-title",
    title: "Reclamation",
    screens: [
      {
        href: "/candidates",
        label: "Removal Candidates",
        Icon: IconListCheck,
        prefetch: (queryClient) => prefetchCandidates(queryClient, null),
      },
      { href: "/reclamation-rules", label: "Reclamation Rules", Icon: IconRulerMeasure },
      { href: "/audit", label: "Audit Log", Icon: IconHistory },
    ],
  },
];

export function AppNav() {
  const [location] = useLocation();
  const queryClient = useQueryClient();
  return (
    <Stack h="100%" gap={0}>
      {GROUPS.map(({ id, title, screens }) => (
        <Box key={id} px="xs" pt="md">
          <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb="xs" px="xs" id={id}>
            {title}
          </Text>
          <nav aria-labelledby={id}>
            {screens.map(({ href, label, Icon, prefetch }) => (
              <Link key={href} href={href} asChild onClick={() => prefetch?.(queryClient)}>
                <NavLink
                  onPointerEnter={() => prefetch?.(queryClient)}
                  component="a"
                  label={label}
                  leftSection={<Icon size={18} aria-hidden />}
                  active={location === href}
                  aria-current={location === href ? "page" : undefined}
                  style={{ borderRadius: "var(--mantine-radius-sm)" }}
                />
              </Link>
            ))}
          </nav>
        </Box>
      ))}
      <Box style={{ flex: 1, minHeight: 0 }}>
        <ProfileNav />
      </Box>
    </Stack>
  );
}
