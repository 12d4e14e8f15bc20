import { Badge, type BadgeProps } from "@mantine/core";

import type { ProfileStatus } from "../bindings/profiles";

interface StatusBadgeProps extends Omit<BadgeProps, "color" | "children"> {
  status: ProfileStatus;
  "data-testid"?: string;
}

export function StatusBadge({ status, ...props }: StatusBadgeProps) {
  return (
    <Badge color={status === "Published" ? "teal" : "gray"} variant="light" tt="none" {...props}>
      {status}
    </Badge>
  );
}
