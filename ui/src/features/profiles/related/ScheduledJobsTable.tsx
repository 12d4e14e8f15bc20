import { Badge, Group, Table, UnstyledButton } from "@mantine/core";
import { IconArrowsSort, IconCalendarClock, IconSortAscending, IconSortDescending } from "@tabler/icons-react";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from "@tanstack/react-table";
import { useState } from "react";

import type { JobSchedule, ScheduledJob } from "../../../bindings/jobs";
import type { Profile } from "../../../bindings/profiles";
import { EmptyState } from "../../../components/EmptyState";
import { formatDateTime } from "../../../lib/dates";

const SCHEDULE_LABELS: Record<JobSchedule, string> = { daily: "Daily" };

const column = createColumnHelper<ScheduledJob>();
const columns = [
  column.accessor("name", { header: "Name" }),
  column.accessor("schedule", { header: "Schedule", cell: (c) => SCHEDULE_LABELS[c.getValue()] }),
  column.accessor("nextRunAt", {
    header: "Next run",
    cell: (c) => {
      const next = c.getValue();
      return next ? formatDateTime(next) : "—";
    },
  }),
  column.accessor("enabled", {
    header: "Enabled",
    cell: (c) => (
      <Badge variant="light" color={c.getValue() ? "teal" : "gray"}>
        {c.getValue() ? "Yes" : "No"}
      </Badge>
    ),
  }),
];

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

export function ScheduledJobsTable({ profile }: { profile: Profile }) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const table = useReactTable({
    data: profile.jobs,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getRowId: (job) => String(job.id),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });

  if (profile.jobs.length === 0) {
    const events = profile.downloadActivity ? ` and “Refresh ${profile.displayName} Events”` : "";
    return (
      <EmptyState icon={<IconCalendarClock size={26} />} title="No scheduled jobs yet" data-testid="jobs-empty">
        Publishing the profile creates “Refresh {profile.displayName} Subscriptions”{events}, each running daily.
      </EmptyState>
    );
  }

  return (
    <Table.ScrollContainer minWidth={560}>
      <Table withTableBorder highlightOnHover data-testid="jobs-table">
        <Table.Thead>
          {table.getHeaderGroups().map((group) => (
            <Table.Tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const SortIcon =
                  sorted === "asc" ? IconSortAscending : sorted === "desc" ? IconSortDescending : IconArrowsSort;
                return (
                  <Table.Th key={header.id} aria-sort={sorted ? ARIA_SORT[sorted] : undefined}>
                    <UnstyledButton onClick={header.column.getToggleSortingHandler()} fw={600} fz="sm">
                      <Group gap={4} wrap="nowrap">
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <SortIcon size={14} aria-hidden />
                      </Group>
                    </UnstyledButton>
                  </Table.Th>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {table.getRowModel().rows.map((row) => (
            <Table.Tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <Table.Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
