import { Badge, Button, Group, Progress, Stack, Switch, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconCalendarClock, IconPlayerPlay, IconPlayerStop } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo } from "react";

import type { ScheduledJob } from "../../../bindings/jobs";
import type { Profile } from "../../../bindings/profiles";
import type { JobResult, SyncPhase, SyncProgress } from "../../../bindings/sync";
import { DataTable } from "../../../components/DataTable";
import { EmptyState } from "../../../components/EmptyState";
import { DateCell, exportName, YesNoBadge } from "./cells";
import { jobTimeOfDay, ScheduleCell, scheduleText } from "./JobTimeOfDay";
import { notifyError, notifySuccess } from "../../../components/notify";
import { type JobRun, useCancelJob, useJobResults, useJobRun, useRunJob, useSetJobActive } from "./queries";

export const PHASE_LABELS: Record<SyncPhase, string> = {
  detectingPlan: "Detecting the plan",
  users: "Reading users",
  closing: "Closing departed users",
  events: "Reading events",
  lastLogin: "Using last login",
  reclaiming: "Reclaiming seats",
  done: "Finishing",
};

const column = createColumnHelper<ScheduledJob>();

function columns(profile: Profile) {
  const profileId = profile.id;
  return [
    column.accessor("name", { header: "Name", size: 280 }),
    column.accessor((job) => jobTimeOfDay(job) ?? "", {
      id: "schedule",
      header: "Schedule",
      size: 170,
      cell: (c) => <ScheduleCell job={c.row.original} />,
      meta: { text: scheduleText },
    }),
    column.accessor("nextRunAt", { header: "Next run", size: 160, cell: (c) => <DateCell value={c.getValue()} /> }),
    column.accessor("enabled", { header: "Enabled", size: 100, cell: (c) => <YesNoBadge value={c.getValue()} /> }),
    column.accessor("active", {
      header: "Active",
      size: 100,
      cell: (c) => <ActiveCell job={c.row.original} profile={profile} />,
      meta: { text: (job) => (job.schedule === "onDemand" ? "" : job.active ? "Yes" : "No") },
    }),
    column.display({
      id: "run",
      header: "Run",
      size: 360,
      cell: (c) => <RunCell job={c.row.original} profileId={profileId} />,
    }),
  ];
}

export function ScheduledJobsTable({ profile }: { profile: Profile }) {
  const cols = useMemo(() => columns(profile), [profile]);
  if (profile.jobs.length === 0) {
    return (
      <EmptyState icon={<IconCalendarClock size={26} />} title="No scheduled jobs yet" data-testid="jobs-empty">
        {jobsPublishingCreates(profile)}
      </EmptyState>
    );
  }
  return (
    <DataTable
      label="Scheduled Jobs"
      data={profile.jobs}
      columns={cols}
      getRowId={(job) => String(job.id)}
      empty={null}
      exportName={exportName(profile, "Scheduled Jobs")}
      data-testid="jobs-table"
    />
  );
}

/** The jobs that publishing `profile` creates, said before it is published. */
export function jobsPublishingCreates(profile: Profile): string {
  const name = profile.displayName;
  const refresh = profile.downloadActivity
    ? `“Refresh ${name} Subscriptions” and “Refresh ${name} Events”, each running daily`
    : `“Refresh ${name} Subscriptions”, running daily`;
  return (
    `Publishing the profile creates ${refresh}; “Reconcile ${name} Subscriptions”, running weekly; and ` +
    `“Reclaim ${name} Subscriptions”, which runs when you confirm a reclaim.`
  );
}

/**
 * The reference's Active: pausing stops the daily (or weekly) runs; Run now still works. Pausing
 * the events job while Reclaim subscriptions is on asks first, because activity then grows stale.
 */
function ActiveCell({ job, profile }: { job: ScheduledJob; profile: Profile }) {
  const setActive = useSetJobActive(profile.id);
  if (job.schedule === "onDemand") {
    // Nothing to pause: it runs only when a reclaim is confirmed (the Schedule column says so).
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  const save = (active: boolean) =>
    setActive.mutate(
      { jobId: job.id, active },
      {
        onSuccess: (saved) =>
          notifySuccess(
            active ? "Job active" : "Job paused",
            active
              ? `“${saved.name}” runs on its schedule again.`
              : `“${saved.name}” no longer runs on its schedule. Run now still runs it.`,
          ),
        onError: (error) => notifyError(active ? "Could not make the job active" : "Could not pause the job", error),
      },
    );
  const onChange = (active: boolean) => {
    if (active || job.kind !== "Events" || !profile.reclaimSubscriptions) {
      save(active);
      return;
    }
    modals.openConfirmModal({
      title: "Pause the events job?",
      children: (
        <Text size="sm">
          While “{job.name}” is paused, user activity is not downloaded and grows stale: removal candidates may then list
          users who have been active since, and Reclaim subscriptions is on for “{profile.displayName}”. Automatic
          reclaim waits until the job is active again. Pause it anyway?
        </Text>
      ),
      labels: { confirm: "Pause", cancel: "Cancel" },
      confirmProps: { color: "orange" },
      onConfirm: () => save(false),
    });
  };
  return (
    <Switch
      checked={job.active}
      onChange={(event) => onChange(event.currentTarget.checked)}
      disabled={setActive.isPending}
      aria-label={`Active: ${job.name}`}
    />
  );
}

/** The job's latest run, when the backend says it is still running (started before this page). */
function runningResult(results: JobResult[] | undefined, jobId: number): JobResult | undefined {
  const latest = results?.find((r) => r.jobId === jobId);
  return latest?.status === "running" ? latest : undefined;
}

function RunCell({ job, profileId }: { job: ScheduledJob; profileId: number }) {
  const run = useJobRun(job.id);
  const results = useJobResults(profileId);
  const runJob = useRunJob();
  const cancelJob = useCancelJob();
  const running = run ?? (runningResult(results.data, job.id) ? { progress: null, cancelling: false } : null);

  if (!running) {
    return (
      <Button
        size="compact-sm"
        variant="light"
        leftSection={<IconPlayerPlay size={14} aria-hidden />}
        onClick={() => runJob.mutate(job.id)}
        loading={runJob.isPending && runJob.variables === job.id}
        aria-label={`Run now: ${job.name}`}
      >
        Run now
      </Button>
    );
  }
  return (
    <Group gap="sm" wrap="nowrap" data-testid={`job-progress-${job.id}`}>
      <RunProgress run={running} />
      <Button
        size="compact-sm"
        variant="subtle"
        color="red"
        leftSection={<IconPlayerStop size={14} aria-hidden />}
        onClick={() => cancelJob.mutate(job.id)}
        disabled={running.cancelling}
        aria-label={`Cancel: ${job.name}`}
      >
        {running.cancelling ? "Cancelling…" : "Cancel"}
      </Button>
    </Group>
  );
}

/** "Reading users · page 3 of 10" / "Reading events · 12 pages · 4,500 events". */
export function progressText(progress: SyncProgress | null): string {
  if (!progress) return "Starting…";
  const parts = [PHASE_LABELS[progress.phase]];
  if (progress.candidatesTotal > 0) {
    parts.push(`${progress.candidatesDone} of ${progress.candidatesTotal} candidates`);
    return parts.join(" · ");
  }
  if (progress.pagesTotal !== null) parts.push(`page ${progress.pagesDone} of ${progress.pagesTotal}`);
  else if (progress.pagesDone > 0) parts.push(`${progress.pagesDone} ${progress.pagesDone === 1 ? "page" : "pages"}`);
  if (progress.eventsRead > 0) parts.push(`${progress.eventsRead.toLocaleString("en-US")} events read`);
  else if (progress.usersRead > 0) parts.push(`${progress.usersRead.toLocaleString("en-US")} users read`);
  return parts.join(" · ");
}

function RunProgress({ run }: { run: JobRun }) {
  const { progress } = run;
  const determinate = progress !== null && progress.pagesTotal !== null && progress.pagesTotal > 0;
  const value = determinate ? Math.min(100, (progress.pagesDone / progress.pagesTotal!) * 100) : 100;
  const text = progressText(progress);
  return (
    <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
      <Progress
        value={value}
        animated={!determinate}
        striped={!determinate}
        size="sm"
        aria-label={text}
        transitionDuration={200}
      />
      <Text size="xs" c="dimmed" truncate data-testid="job-progress-text">
        {text}
      </Text>
    </Stack>
  );
}

export function JobStatusBadge({ status }: { status: JobResult["status"] }) {
  const color = { running: "blue", succeeded: "teal", failed: "red", cancelled: "gray" }[status];
  const label = { running: "Running", succeeded: "Succeeded", failed: "Failed", cancelled: "Cancelled" }[status];
  return (
    <Badge variant="light" color={color}>
      {label}
    </Badge>
  );
}
