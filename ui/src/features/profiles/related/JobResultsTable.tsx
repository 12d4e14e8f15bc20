import { Text, Tooltip } from "@mantine/core";
import { IconHistory } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo } from "react";

import type { Profile } from "../../../bindings/profiles";
import type { JobResult, JobStatus } from "../../../bindings/sync";
import { DataTable } from "../../../components/DataTable";
import { EmptyState } from "../../../components/EmptyState";
import { Count, DateCell, exportName } from "./cells";
import { useJobResults } from "./queries";
import { JobStatusBadge } from "./ScheduledJobsTable";

const STATUS_LABELS: Record<JobStatus, string> = {
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

const column = createColumnHelper<JobResult>();

function columns(jobName: (jobId: number) => string) {
  const count = (key: keyof JobResult & `${string}`, header: string, size = 100) =>
    column.accessor((r) => r[key] as number, {
      id: key,
      header,
      size,
      cell: (c) => <Count value={c.getValue()} />,
    });
  return [
    column.accessor("number", { header: "Number", size: 80 }),
    column.accessor((r) => jobName(r.jobId), { id: "job", header: "Job", size: 330 }),
    column.accessor("startedAt", { header: "Started", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
    column.accessor("finishedAt", { header: "Finished", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
    column.accessor("status", {
      header: "Status",
      size: 120,
      cell: (c) => <JobStatusBadge status={c.getValue()} />,
      meta: { text: (r) => STATUS_LABELS[r.status], filter: {} },
    }),
    count("usersRead", "Users read"),
    count("subscriptionsCreated", "Created"),
    count("subscriptionsUpdated", "Updated"),
    count("subscriptionsClosed", "Closed"),
    count("eventsRead", "Events read", 110),
    count("candidatesReclaimed", "Seats reclaimed", 130),
    count("candidatesCanceled", "Canceled (active)", 140),
    count("candidatesFailed", "Attention required", 150),
    count("requests", "Requests"),
    count("retries", "Retries", 90),
    column.accessor("warnings", {
      header: "Warnings",
      size: 100,
      cell: (c) => {
        const text = c.row.original.warningText;
        return text ? (
          <Tooltip label={text} multiline w={420} withArrow>
            <Text span size="sm" c="orange" td="underline dotted" tabIndex={0}>
              {c.getValue().toLocaleString("en-US")}
            </Text>
          </Tooltip>
        ) : (
          <Count value={c.getValue()} />
        );
      },
    }),
    column.accessor("errorMessage", {
      header: "Error message",
      size: 320,
      cell: (c) => {
        const message = c.getValue();
        return message ? (
          <Tooltip label={message} multiline w={420} withArrow>
            <Text span size="sm" c="red" tabIndex={0}>
              {message}
            </Text>
          </Tooltip>
        ) : null;
      },
    }),
  ];
}

export function JobResultsTable({ profile }: { profile: Profile }) {
  const results = useJobResults(profile.id);
  const cols = useMemo(() => {
    const names = new Map(profile.jobs.map((j) => [j.id, j.name]));
    return columns((jobId) => names.get(jobId) ?? `Job ${jobId}`);
  }, [profile.jobs]);
  return (
    <DataTable
      label="Scheduled Job Results"
      data={results.data}
      isLoading={results.isPending}
      error={results.error}
      onRetry={() => void results.refetch()}
      columns={cols}
      getRowId={(r) => String(r.id)}
      exportName={exportName(profile, "Scheduled Job Results")}
      data-testid="job-results-table"
      empty={
        <EmptyState icon={<IconHistory size={26} />} title="No job runs yet" data-testid="related-list-empty">
          Each run of {profile.displayName}'s scheduled jobs is recorded here, with what it read and changed.{" "}
          {profile.status === "Published"
            ? "Use Run now on Scheduled Jobs to start one at once."
            : "Publish the profile to schedule them."}
        </EmptyState>
      }
    />
  );
}
