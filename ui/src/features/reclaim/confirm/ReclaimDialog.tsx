import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Paper,
  Progress,
  ScrollArea,
  Skeleton,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck, IconInfoCircle, IconPlayerStop } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Papa from "papaparse";
import { useEffect, useState } from "react";
import { Link } from "wouter";

import type { ReclaimConfirmation, ReclaimPreview, ReclaimPreviewItem, RemovalCandidate } from "../../../bindings/reclaim";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { spreadsheetText } from "../../../lib/csvCell";
import { downloadTextFile } from "../../../lib/download";
import * as ipc from "../../../lib/ipc";
import { profileKeys } from "../../profiles/queries";
import { relatedKeys } from "../../profiles/related/queries";
import { JobStatusBadge, progressText } from "../../profiles/related/ScheduledJobsTable";
import { countFormat, formatAmounts, formatMoney, hasSavings, seatChange, SEAT_ACTION_LABELS, seats, STATE_COLORS, STATE_LABELS } from "../format";
import { reclaimKeys } from "../queries";
import { readCandidates } from "./readCandidates";
import { type ReclaimJobRun, useReclaimRun } from "./useReclaimRun";

/** How many rows the confirmation and the result list; the CSV of the preview has them all. */
const ROWS_SHOWN = 500;

const plural = (n: number, one: string, many: string) => `${countFormat.format(n)} ${n === 1 ? one : many}`;

export const DEACTIVATE_WARNING =
  "Deactivating a user is not a downgrade: they can no longer sign in to Smartsheet (their sheets stay theirs), and " +
  "Smartsheet reactivates them only within 30 days — Undo in the Audit Log does that.";

/** What a confirmed candidate became, as the admin reads it. */
export function resultOf(candidate: RemovalCandidate | undefined): { label: string; color: string } {
  if (candidate === undefined) return { label: "Not found (refresh the list)", color: "gray" };
  switch (candidate.state) {
    case "closedComplete":
      return { label: "Reclaimed", color: STATE_COLORS.closedComplete };
    case "closedCanceled":
      return { label: "Canceled — active again", color: "yellow" };
    case "attentionRequired":
      return { label: "Attention Required", color: STATE_COLORS.attentionRequired };
    case "ready":
      return { label: "Not reclaimed — Ready again", color: "gray" };
    case "awaitingRevocation":
      return { label: "Awaiting Revocation", color: STATE_COLORS.awaitingRevocation };
    default:
      return { label: STATE_LABELS[candidate.state], color: STATE_COLORS[candidate.state] };
  }
}

function previewCsv(items: readonly ReclaimPreviewItem[]): string {
  const cell = (v: string | number | null) => spreadsheetText(v === null ? "" : String(v));
  return Papa.unparse(
    {
      fields: ["Candidate", "Profile", "E-mail", "Name", "Software model", "Action", "Seat before", "Seat after", "Also", "Savings per month"].map(cell),
      data: items.map((i) =>
        [
          i.candidateId,
          i.profileName,
          i.email,
          i.name,
          i.modelName,
          SEAT_ACTION_LABELS[i.action],
          i.seatBefore,
          i.seatAfter,
          i.also,
          i.monthlySavings ? formatMoney(i.monthlySavings) : null,
        ].map(cell),
      ),
    },
    { escapeFormulae: false },
  );
}

function UserCell({ name, email }: { name: string | null; email: string }) {
  return (
    <Stack gap={0}>
      <Text size="sm">{name ?? email}</Text>
      {name && (
        <Text size="xs" c="dimmed">
          {email}
        </Text>
      )}
    </Stack>
  );
}

// ------------------------------------------------------------------------------------------------
// The confirmation: who is affected and what happens to each

interface PreviewProps {
  preview: ReclaimPreview;
  confirming: boolean;
  confirmError: unknown;
  onConfirm: () => void;
  onOnlyAllowed: () => void;
  onCancel: () => void;
}

function PreviewStep({ preview, confirming, confirmError, onConfirm, onOnlyAllowed, onCancel }: PreviewProps) {
  const { items, refused, savings } = preview;
  const manyProfiles = new Set(items.map((i) => i.profileId)).size > 1;
  const deactivating = items.filter((i) => i.action === "deactivate").length;
  const shown = items.slice(0, ROWS_SHOWN);
  return (
    <Stack gap="md" data-testid="reclaim-preview">
      {items.length > 0 && (
        <Stack gap={4}>
          <Text size="sm">
            Reclaiming changes the seat of {plural(items.length, "user", "users")} in Smartsheet, as listed. Nothing is
            written before you select <b>Reclaim {seats(items.length)}</b>.
          </Text>
          <Text size="sm" data-testid="preview-savings">
            {hasSavings(savings)
              ? `Savings: ${formatAmounts(savings.monthly)} per month · ${formatAmounts(savings.yearly)} per year`
              : "Savings: no cost is set for these seats' models."}
            {savings.seatsWithoutCost > 0 && savings.monthly.length > 0 && ` (${seats(savings.seatsWithoutCost)} without a cost)`}
          </Text>
        </Stack>
      )}

      {deactivating > 0 && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title={`${plural(deactivating, "user is", "users are")} deactivated`} data-testid="deactivate-warning">
          {DEACTIVATE_WARNING}
        </Alert>
      )}

      {items.length > 0 && (
        <ScrollArea.Autosize mah={320} type="auto">
          <Table striped verticalSpacing={4} aria-label="Seats to reclaim" data-testid="preview-items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                {manyProfiles && <Table.Th>Profile</Table.Th>}
                <Table.Th>Software model</Table.Th>
                <Table.Th>Seat before → after</Table.Th>
                <Table.Th>Savings / month</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((item) => (
                <Table.Tr key={item.candidateId} data-testid="preview-item">
                  <Table.Td>
                    <UserCell name={item.name} email={item.email} />
                  </Table.Td>
                  {manyProfiles && <Table.Td>{item.profileName}</Table.Td>}
                  <Table.Td>{item.modelName ?? "—"}</Table.Td>
                  <Table.Td>
                    <Stack gap={0}>
                      <Text size="sm" fw={500} data-testid="seat-change">
                        {SEAT_ACTION_LABELS[item.action]}: {seatChange(item.seatBefore, item.seatAfter)}
                      </Text>
                      {item.also && (
                        <Text size="xs" c={item.action === "deactivate" ? "orange" : "dimmed"} data-testid="seat-also">
                          {item.also}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>{item.monthlySavings ? formatMoney(item.monthlySavings) : <Text span size="sm" c="dimmed">no cost set</Text>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
      {items.length > shown.length && (
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            and {plural(items.length - shown.length, "more user", "more users")}.
          </Text>
          <Button size="compact-sm" variant="subtle" onClick={() => downloadTextFile("Reclaim confirmation.csv", previewCsv(items))}>
            Export the whole list (CSV)
          </Button>
        </Group>
      )}

      {refused.length > 0 && (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle />}
          title={`${plural(refused.length, "selected candidate cannot", "selected candidates cannot")} be reclaimed now`}
          data-testid="preview-refused"
        >
          <Stack gap="xs">
            <ScrollArea.Autosize mah={160}>
              <List size="sm" spacing={2}>
                {refused.map((r) => (
                  <List.Item key={r.candidateId} data-testid="refused-item">
                    <b>{r.email}</b>: {r.reason}
                  </List.Item>
                ))}
              </List>
            </ScrollArea.Autosize>
            <Text size="sm">
              Reclaim is all or nothing: it cannot be confirmed while {refused.length === 1 ? "this one is" : "these are"}{" "}
              selected.
              {items.length > 0 ? " Continue with the others only, or cancel and change the selection." : ""}
            </Text>
            {items.length > 0 && (
              <Group>
                <Button size="xs" variant="light" onClick={onOnlyAllowed}>
                  Continue with the {plural(items.length, "other", "others")} only
                </Button>
              </Group>
            )}
          </Stack>
        </Alert>
      )}

      {items.length === 0 && refused.length === 0 && (
        <Text size="sm" data-testid="preview-nothing">
          None of the selected candidates is left to reclaim.
        </Text>
      )}

      {confirmError !== null && confirmError !== undefined && <ErrorAlert title="Nothing was reclaimed" error={confirmError} />}

      <Text size="xs" c="dimmed">
        Each seat is read again just before it is changed: a user who was active since the review keeps the seat (Closed
        Canceled). Every change is recorded in the Audit Log, where it can be undone.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel} disabled={confirming}>
          Cancel
        </Button>
        <Button
          color="red"
          onClick={onConfirm}
          loading={confirming}
          disabled={items.length === 0 || refused.length > 0}
          data-testid="confirm-reclaim"
        >
          Reclaim {seats(items.length)}
        </Button>
      </Group>
    </Stack>
  );
}

// ------------------------------------------------------------------------------------------------
// The run: progress, cancel, and the result for each candidate

function jobName(run: ReclaimJobRun, items: readonly ReclaimPreviewItem[]): string {
  const profileName = items.find((i) => i.profileId === run.profileId)?.profileName;
  return profileName ? `Reclaim ${profileName} Subscriptions` : `Reclaim job ${run.jobId}`;
}

function JobProgress({ run, items }: { run: ReclaimJobRun; items: readonly ReclaimPreviewItem[] }) {
  const [cancelling, setCancelling] = useState(false);
  const cancel = useMutation({
    mutationFn: () => ipc.cancelJob(run.jobId),
    onMutate: () => setCancelling(true),
    onError: () => setCancelling(false),
  });
  const name = jobName(run, items);
  const { progress, result } = run;
  const total = progress?.candidatesTotal ?? 0;
  const done = progress?.candidatesDone ?? 0;
  const text = progressText(progress);
  return (
    <Paper withBorder p="sm" radius="md" data-testid={`reclaim-job-${run.jobId}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600}>
            {name}
          </Text>
          {result ? (
            <JobStatusBadge status={result.status} />
          ) : (
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              leftSection={<IconPlayerStop size={14} aria-hidden />}
              onClick={() => cancel.mutate()}
              disabled={cancelling}
              aria-label={`Cancel: ${name}`}
            >
              {cancelling ? "Cancelling…" : "Cancel"}
            </Button>
          )}
        </Group>
        {!result && (
          <>
            <Progress
              value={total > 0 ? Math.min(100, (done / total) * 100) : 100}
              animated={total === 0}
              striped={total === 0}
              size="sm"
              aria-label={text}
            />
            <Text size="xs" c="dimmed" data-testid="reclaim-progress-text">
              {text}
            </Text>
          </>
        )}
        {cancel.isError && <ErrorAlert title="Could not cancel" error={cancel.error} />}
        {result && (
          <Text size="sm" data-testid="reclaim-job-counts">
            {countFormat.format(result.candidatesReclaimed)} reclaimed · {countFormat.format(result.candidatesCanceled)}{" "}
            canceled (active again) · {countFormat.format(result.candidatesFailed)} Attention Required
          </Text>
        )}
        {result?.status === "failed" && result.errorMessage && (
          <Text size="sm" c="red" data-testid="reclaim-job-error">
            {result.errorMessage}
          </Text>
        )}
        {result?.status === "cancelled" && (
          <Text size="sm" c="dimmed">
            Cancelled: the seats not reached yet were left as they are; those candidates are Ready again.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

interface RunProps {
  confirmation: ReclaimConfirmation;
  items: readonly ReclaimPreviewItem[];
  runs: ReclaimJobRun[];
  onClose: () => void;
}

function RunStep({ confirmation, items, runs, onClose }: RunProps) {
  const finished = runs.length > 0 && runs.every((r) => r.result !== null);
  const version = runs.map((r) => r.finishedRuns).join(",");
  const outcomes = useQuery({
    queryKey: ["reclaimOutcome", confirmation.jobIds, version],
    queryFn: () => readCandidates(items),
    enabled: finished,
    staleTime: Infinity,
    gcTime: 0,
  });
  const states = outcomes.data;
  const readyAgain = states ? items.filter((i) => states.get(i.candidateId)?.state === "ready").length : 0;
  const total = (key: "candidatesReclaimed" | "candidatesCanceled" | "candidatesFailed") =>
    runs.reduce((sum, r) => sum + (r.result?.[key] ?? 0), 0);

  return (
    <Stack gap="md" data-testid="reclaim-run">
      <Text size="sm">
        Confirmed by <b>{confirmation.confirmedBy}</b>: {plural(confirmation.confirmed, "candidate is", "candidates are")}{" "}
        Awaiting Revocation, and Seatkeeper reclaims {confirmation.confirmed === 1 ? "its seat" : "their seats"} now.
      </Text>
      {runs.map((run) => (
        <JobProgress key={run.jobId} run={run} items={items} />
      ))}

      {finished && (
        <Stack gap="sm" data-testid="reclaim-result">
          <Alert
            color={total("candidatesFailed") > 0 || runs.some((r) => r.result?.status === "failed") ? "orange" : "teal"}
            variant="light"
            icon={<IconCircleCheck />}
            title="Reclaim finished"
            data-testid="reclaim-totals"
          >
            Reclaimed: {countFormat.format(total("candidatesReclaimed"))} · Canceled — active again:{" "}
            {countFormat.format(total("candidatesCanceled"))} · Attention Required: {countFormat.format(total("candidatesFailed"))}
            {readyAgain > 0 && ` · Not reclaimed, Ready again: ${countFormat.format(readyAgain)}`}
          </Alert>
          {outcomes.isPending && <Skeleton h={80} />}
          {outcomes.isError && <ErrorAlert title="Could not read the candidates" error={outcomes.error} onRetry={() => void outcomes.refetch()} />}
          {states && (
            <ScrollArea.Autosize mah={300} type="auto">
              <Table striped verticalSpacing={4} aria-label="Result per candidate" data-testid="result-items">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Seat before → after</Table.Th>
                    <Table.Th>Result</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.slice(0, ROWS_SHOWN).map((item) => {
                    const candidate = states.get(item.candidateId);
                    const { label, color } = resultOf(candidate);
                    return (
                      <Table.Tr key={item.candidateId} data-testid="result-item">
                        <Table.Td>
                          <UserCell name={item.name} email={item.email} />
                        </Table.Td>
                        <Table.Td>{seatChange(item.seatBefore, item.seatAfter)}</Table.Td>
                        <Table.Td>
                          <Stack gap={2}>
                            <Badge color={color} variant="light" tt="none" data-testid="result-badge">
                              {label}
                            </Badge>
                            {candidate?.note && (
                              <Text size="xs" c="dimmed" data-testid="result-note">
                                {candidate.note}
                              </Text>
                            )}
                          </Stack>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          )}
          {items.length > ROWS_SHOWN && (
            <Text size="sm" c="dimmed">
              and {plural(items.length - ROWS_SHOWN, "more user", "more users")}: see Removal Candidates (closed states) and
              the Audit Log.
            </Text>
          )}
        </Stack>
      )}

      {!finished && (
        <Alert color="gray" variant="light" icon={<IconInfoCircle />}>
          The reclaim goes on if you close this dialog; its progress is on the profile's Scheduled Jobs, and each change
          appears in the Audit Log.
        </Alert>
      )}
      <Group justify="flex-end">
        <Link href="/audit" asChild>
          <Anchor size="sm" onClick={onClose}>
            Open the Audit Log
          </Anchor>
        </Link>
        <Button onClick={onClose} variant={finished ? "filled" : "default"}>
          Close
        </Button>
      </Group>
    </Stack>
  );
}

// ------------------------------------------------------------------------------------------------

export interface ReclaimRequest {
  ids: number[];
  /** Selects these in the list instead (the allowed ones, when some were refused). */
  reselect: (ids: number[]) => void;
  /** Clears the list's selection (once confirmed). */
  clear: () => void;
}

function ReclaimFlow({ request, onClose, setBusy }: { request: ReclaimRequest; onClose: () => void; setBusy: (busy: boolean) => void }) {
  const queryClient = useQueryClient();
  const [ids, setIds] = useState(request.ids);
  const events = useReclaimRun();
  const preview = useQuery({
    queryKey: ["reclaimPreview", ids],
    queryFn: () => ipc.previewReclaim(ids),
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const [confirmed, setConfirmed] = useState<{ confirmation: ReclaimConfirmation; items: ReclaimPreviewItem[] } | null>(null);

  const refreshAll = (profileIds: readonly number[]) => {
    void queryClient.invalidateQueries({ queryKey: reclaimKeys.all });
    void queryClient.invalidateQueries({ queryKey: profileKeys.all });
    for (const id of profileIds) void queryClient.invalidateQueries({ queryKey: relatedKeys.all(id) });
  };

  const confirm = useMutation({
    mutationFn: async (items: ReclaimPreviewItem[]) => {
      // Listen first: the job starts with the confirmation.
      await events.ready();
      events.arm();
      return { confirmation: await ipc.confirmReclaim(items.map((i) => i.candidateId)), items };
    },
    onMutate: () => setBusy(true),
    onSettled: () => setBusy(false),
    onSuccess: ({ confirmation, items }) => {
      events.follow(confirmation.jobIds);
      setConfirmed({ confirmation, items });
      request.clear();
      refreshAll([...new Set(items.map((i) => i.profileId))]);
    },
    // What made it refuse may be new: show the dry run as it is now.
    onError: () => void preview.refetch(),
  });

  // Each end of a run: the candidates, savings, audit log and jobs are read again.
  const ends = events.runs.reduce((sum, r) => sum + r.finishedRuns, 0);
  useEffect(() => {
    if (ends > 0) refreshAll([...new Set((confirmed?.items ?? []).map((i) => i.profileId))]);
    // Once per end of a run, not when the list of items is rebuilt.
  }, [ends]);

  if (confirmed) {
    return <RunStep confirmation={confirmed.confirmation} items={confirmed.items} runs={events.runs} onClose={onClose} />;
  }
  if (preview.isPending) {
    return (
      <Stack gap="xs" aria-busy="true" aria-label="Reading what the reclaim would do" data-testid="reclaim-preview-loading">
        <Skeleton h={20} w="60%" />
        <Skeleton h={120} />
      </Stack>
    );
  }
  if (preview.isError) {
    return (
      <Stack gap="md">
        <ErrorAlert title="Could not prepare the reclaim" error={preview.error} onRetry={() => void preview.refetch()} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    );
  }
  const allowed = preview.data.items.map((i) => i.candidateId);
  return (
    <PreviewStep
      preview={preview.data}
      confirming={confirm.isPending}
      confirmError={confirm.error}
      onConfirm={() => confirm.mutate(preview.data.items)}
      onOnlyAllowed={() => {
        confirm.reset();
        request.reselect(allowed);
        setIds(allowed);
      }}
      onCancel={onClose}
    />
  );
}

/**
 * Reclaim: the confirmation (the core's dry run — exactly who, each seat before → after, what else
 * changes, the savings — and the candidates it refuses), then, once confirmed, the job's progress
 * with Cancel, and the result for each candidate. Nothing is written before the confirm button.
 */
export function ReclaimDialog({ request, onClose }: { request: ReclaimRequest | null; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const close = () => {
    if (!busy) onClose();
  };
  return (
    <Modal
      opened={request !== null}
      onClose={close}
      title="Reclaim seats"
      size="xl"
      closeOnClickOutside={false}
      closeOnEscape={!busy}
      withCloseButton={!busy}
    >
      {request !== null && <ReclaimFlow request={request} onClose={close} setBusy={setBusy} />}
    </Modal>
  );
}
