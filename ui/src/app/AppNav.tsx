import { Box, NavLink, Stack, Text } from "@mantine/core";
import { IconHistory, IconListCheck, IconRulerMeasure } from "@tabler/icons-react";
import { Link, useLocation } from "wouter";

import { ProfileNav } from "../features/profiles/ProfileNav";

/** The screens across profiles (ServiceNow's Reclamation), then the profiles themselves. */
const SCREENS = [
  { href: "/candidates", label: "Removal Candidates", Icon: IconListCheck },
  { href: "/reclamation-rules", label: "Reclamation Rules", Icon: IconRulerMeasure },
  { href: "/audit", label: "Audit Log", Icon: IconHistory },
] as const;

export function AppNav() {
  const [location] = useLocation();
  return (
    <Stack h="100%" gap={0}>
      <Box px="xs" pt="md">
        <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb="xs" px="xs" id="reclaim-nav-title">
          Reclamation
        </Text>
        <nav aria-labelledby="reclaim-nav-title">
          {SCREENS.map(({ href, label, Icon }) => (
            <Link key={href} href={href} asChild>
              <NavLink
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
      <Box style={{ flex: 1, minHeight: 0 }}>
        <ProfileNav />
      </Box>
    </Stack>
  );
}
