import { Group, Skeleton, Stack } from "@mantine/core";

/** The shape of a profile page while it loads. */
export function ProfileSkeleton() {
  return (
    <Stack gap="md" data-testid="profile-loading" aria-busy="true" aria-label="Loading the profile">
      <Group justify="space-between">
        <Skeleton h={28} w={260} />
        <Skeleton h={36} w={220} />
      </Group>
      <Skeleton h={260} radius="md" />
      <Skeleton h={140} radius="md" />
      <Skeleton h={220} radius="md" />
    </Stack>
  );
}
