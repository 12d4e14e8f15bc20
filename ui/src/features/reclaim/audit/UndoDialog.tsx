import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconArrowBackUp, IconCheck, IconQuestionMark } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { AuditRecord, SeatAction } from "../../../bindings/reclaim";
import { ErrorAlert } from "../../../components/ErrorAlert";
import * as ipc from "../../../lib/ipc";
import { outcomeDetails, seatChange } from "../format";
import { reclaimKeys } from "../queries";

/** What undoing each kind of write does in Smartsheet. */
const UNDO_VERBS: Partial<Record<SeatAction, string>> = {
  downgrade: "Upgrade back",
  unlicense: "License again",
  deactivate: "Reactivate",
};

const UNDO_NOTES: Partial<Record<SeatAction, string>> = {
  unlicense: "The Group Admin and Resource Viewer roles the reclaim removed are given back too.",
  deactivate: "Smartsheet reactivates a user only within 30 days of the deactivation.",
};

/** "CONTRIBUTOR → MEMBER for ann@example.com": the undo's own change. */
export function undoChange(record: AuditRecord): string {
  return `${seatChange(record.seatAfter, record.seatBefore)} for ${record.email}`;
}

/** Undoes `record` (after the admin's confirmation); the log and the candidates are read again. */
export function useUndoAudit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (auditId: number) => ipc.undoAudit(auditId),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: reclaimKeys.audit }),
        queryClient.invalidateQueries({ queryKey: reclaimKeys.candidates }),
      ]),
  });
}

/** What the undo's own record says happened. */
function UndoOutcome({ record, undo }: { record: AuditRecord; undo: AuditRecord }) {
  const change = undoChange(record);
  const details = outcomeDetails(undo);
  switch (undo.outcome) {
    case "succeeded":
    case "applied":
      return (
        <Alert color="teal" variant="light" icon={<IconCheck />} title="Undone" data-testid="undo-outcome">
          <Text size="sm">
            Smartsheet carried it out: {change}. Audit record {undo.id} records the undo
            {undo.outcome === "applied" ? " (its answer was lost; reading the seat showed the change)" : ""}.
          </Text>
        </Alert>
      );
    case "failed":
      return (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Smartsheet refused the undo" data-testid="undo-outcome">
          <Stack gap={4}>
            <Text size="sm">{undo.message ?? "Smartsheet gave no message."}</Text>
            {details !== "" && (
              <Text size="xs" c="dimmed">
                {details}
              </Text>
            )}
            <Text size="xs" c="dimmed">
              The seat is unchanged. Audit record {undo.id} records the attempt.
            </Text>
          </Stack>
        </Alert>
      );
    case "notApplied":
      return (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title="Not carried out" data-testid="undo-outcome">
          <Text size="sm">
            Smartsheet's answer was lost, and reading the seat showed the change was not made ({details}). The seat is
            unchanged; you can undo again. Audit record {undo.id} records the attempt.
          </Text>
        </Alert>
      );
    default:
      return (
        <Alert color="gray" variant="light" icon={<IconQuestionMark />} title="Outcome not known yet" data-testid="undo-outcome">
          <Text size="sm">
            Seatkeeper could not learn whether Smartsheet made the change. The next reclaim run of the profile reads the
            user's seat and records the outcome on audit record {undo.id}.
          </Text>
        </Alert>
      );
  }
}

interface UndoDialogProps {
  record: AuditRecord;
  /** The undo (its owner keeps the dialog open while it runs). */
  undo: ReturnType<typeof useUndoAudit>;
  onClose: () => void;
}

/** The confirmation of an undo, then its outcome (or why it was refused). */
export function UndoDialog({ record, undo, onClose }: UndoDialogProps) {
  const verb = UNDO_VERBS[record.action] ?? "Undo";
  const note = UNDO_NOTES[record.action];
  const finished = undo.isSuccess || undo.isError;
  return (
    <Stack gap="md" data-testid="undo-dialog">
      <Stack gap={6}>
        <Text size="sm">Seatkeeper gives the seat back in Smartsheet:</Text>
        <Text fw={600} data-testid="undo-change">
          {verb}: {undoChange(record)}
        </Text>
        <Text size="sm" c="dimmed">
          {record.name ? `${record.name}, ` : ""}profile “{record.profileName}”, undoing audit record {record.id} (
          {seatChange(record.seatBefore, record.seatAfter)}).
        </Text>
        {note && <Text size="sm">{note}</Text>}
        <Text size="sm" c="dimmed">
          Seatkeeper first reads the user's seat: if it changed since record {record.id}, nothing is written. The undo is
          recorded in the Audit Log as a record of its own.
        </Text>
      </Stack>
      {undo.isSuccess && <UndoOutcome record={record} undo={undo.data} />}
      {undo.isError && (
        <div data-testid="undo-outcome">
          <ErrorAlert title="Nothing was undone" error={undo.error} />
        </div>
      )}
      <Group justify="flex-end">
        {finished ? (
          <Button onClick={onClose}>Close</Button>
        ) : (
          <>
            <Button variant="default" onClick={onClose} disabled={undo.isPending}>
              Cancel
            </Button>
            <Button
              leftSection={<IconArrowBackUp size={16} aria-hidden />}
              loading={undo.isPending}
              onClick={() => undo.mutate(record.id)}
            >
              Confirm undo
            </Button>
          </>
        )}
      </Group>
    </Stack>
  );
}
