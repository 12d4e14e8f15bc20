import { ActionIcon, Button, Group, Modal, Stack, Text, TextInput, Tooltip } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { IconClockEdit } from "@tabler/icons-react";
import dayjs from "dayjs";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import type { ScheduledJob } from "../../../bindings/jobs";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { notifySuccess } from "../../../components/notify";
import { formatDateTime } from "../../../lib/dates";
import { applyFieldError } from "../../../lib/formErrors";
import { useSetJobTimeOfDay } from "./queries";

/**
 * The time of day ("HH:MM", local) of a job's daily or weekly run: the one the admin chose, or else
 * the time of day of its next run (the time the profile was published).
 */
export function jobTimeOfDay(job: ScheduledJob): string | null {
  if (job.timeOfDay !== null) return job.timeOfDay;
  return job.nextRunAt === null ? null : dayjs(job.nextRunAt).format("HH:mm");
}

/** Whether a job runs by itself, at a time of day (daily or weekly), rather than only on demand. */
export function isTimed(job: ScheduledJob): job is ScheduledJob & { schedule: "daily" | "weekly" } {
  return job.schedule !== "onDemand";
}

const SCHEDULE_WORDS = { daily: "Daily", weekly: "Weekly" } as const;

/** "Daily at 02:30", "Weekly at 04:00". */
export function scheduleText(job: ScheduledJob): string {
  if (!isTimed(job)) return "On demand";
  const time = jobTimeOfDay(job);
  const word = SCHEDULE_WORDS[job.schedule];
  return time === null ? word : `${word} at ${time}`;
}

// Only "is there something": whether it is a time of day is the backend's rule, shown on the field.
const schema = z.object({ timeOfDay: z.string().trim().min(1, "Enter a time of day, for example 02:30.") });
type Values = z.infer<typeof schema>;

/** The Schedule cell: "Daily at 02:30" (or "Weekly at …") and a button that changes the time. */
export function ScheduleCell({ job }: { job: ScheduledJob }) {
  const [open, setOpen] = useState(false);
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" span>
        {scheduleText(job)}
      </Text>
      {isTimed(job) && (
        <Tooltip label="Change the time of day" withArrow>
          <ActionIcon variant="subtle" size="sm" aria-label={`Change time: ${job.name}`} onClick={() => setOpen(true)}>
            <IconClockEdit size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      )}
      <Modal opened={open} onClose={() => setOpen(false)} title={`When “${job.name}” runs`}>
        {open && <TimeOfDayForm job={job} onClose={() => setOpen(false)} />}
      </Modal>
    </Group>
  );
}

function TimeOfDayForm({ job, onClose }: { job: ScheduledJob; onClose: () => void }) {
  // "daily" or "weekly": a weekly job runs every seventh day at this time.
  const every = job.schedule === "weekly" ? "weekly" : "daily";
  const save = useSetJobTimeOfDay(job.profileId);
  const [formError, setFormError] = useState<unknown>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { timeOfDay: jobTimeOfDay(job) ?? "" } });

  const onSubmit = handleSubmit(async ({ timeOfDay }) => {
    setFormError(null);
    try {
      const saved = await save.mutateAsync({ jobId: job.id, timeOfDay: timeOfDay.trim() });
      const next = saved.nextRunAt === null ? "" : ` The next run is ${formatDateTime(saved.nextRunAt)}.`;
      notifySuccess("Schedule saved", `“${saved.name}” runs ${every} at ${saved.timeOfDay}.${next}`);
      onClose();
    } catch (error) {
      if (!applyFieldError(error, setError, { timeOfDay: "timeOfDay" })) setFormError(error);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <TextInput
          label="Time of day"
          description={`24-hour, on this computer's clock. The job runs ${every} at this time while Seatkeeper is open; a run missed while it was closed runs once when it starts.`}
          placeholder="02:30"
          data-autofocus
          spellCheck={false}
          autoComplete="off"
          error={errors.timeOfDay?.message}
          {...register("timeOfDay")}
        />
        {formError !== null && <ErrorAlert title="Could not save the schedule" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
