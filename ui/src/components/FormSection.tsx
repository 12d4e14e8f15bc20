import { Paper, Stack, Title } from "@mantine/core";
import { useId, type ReactNode } from "react";

interface FormSectionProps {
  title: string;
  children: ReactNode;
}

/** A titled group of fields, announced as a region with that title. */
export function FormSection({ title, children }: FormSectionProps) {
  const titleId = useId();
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Title order={3} size="h5" id={titleId}>
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
