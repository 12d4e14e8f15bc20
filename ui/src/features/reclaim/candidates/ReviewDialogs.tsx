import { Alert, Button, Checkbox, Group, List, ScrollArea, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { IconCopy, IconDownload, IconInfoCircle, IconMail } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import type { CandidateState, RemovalCandidate, ReviewMove } from "../../../bindings/reclaim";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { notifyError, notifySuccess } from "../../../components/notify";
import { downloadTextFile } from "../../../lib/download";
import { applyFieldError } from "../../../lib/formErrors";
import * as ipc from "../../../lib/ipc";
import { openMailto } from "../../../lib/opener";
import { countFormat, STATE_LABELS } from "../format";
import { refreshCandidates, reclaimKeys, useMoveCandidates, useRulesOf, useSkipCandidates } from "../queries";
import { defaultNotifyBody, NOTIFY_SUBJECT, notifyCsv, notifyMailto } from "./notifyMessage";

/** The core's longest skip reason (reclaim/candidates.rs). */
const MAX_REASON = 500;

const plural = (n: number, one: string, many: string) => `${countFormat.format(n)} ${n === 1 ? one : many}`;

interface UserListProps {
  /** Rows known among those acted on, in order. */
  rows: readonly RemovalCandidate[];
  /** How many are acted on (more than `rows` when only some were read). */
  total?: number;
  max?: number;
  render?: (row: RemovalCandidate) => ReactNode;
}

/** The users a dialog acts on: the first `max` by name, then how many more. */
function UserList({ rows, total = rows.length, max = 8, render }: UserListProps) {
  const shown = rows.slice(0, max);
  return (
    <Stack gap={4}>
      <ScrollArea.Autosize mah={260}>
        <List size="sm" spacing={2} data-testid="dialog-users">
          {shown.map((row) => (
            <List.Item key={row.id}>
              {render ? render(row) : `${row.name ?? row.email} (${row.email})`}
            </List.Item>
          ))}
        </List>
      </ScrollArea.Autosize>
      {total > shown.length && (
        <Text size="sm" c="dimmed">
          and {plural(total - shown.length, "more user", "more users")}
        </Text>
      )}
    </Stack>
  );
}

/** Says which selected candidates a dialog leaves as they are, and why. */
function LeftOut({ count, why }: { count: number; why: string }) {
  if (count === 0) return null;
  return (
    <Alert color="gray" variant="light" icon={<IconInfoCircle />} data-testid="left-out">
      {plural(count, "selected candidate", "selected candidates")} {count === 1 ? "is" : "are"} left as{" "}
      {count === 1 ? "it is" : "they are"}: {why}
    </Alert>
  );
}

function NoneApplies({ children, onClose }: { children: ReactNode; onClose: () => void }) {
  return (
    <Stack gap="md">
      <Text size="sm" data-testid="none-applies">
        {children}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
      </Group>
    </Stack>
  );
}

interface Closing {
  onClose: () => void;
  /** After the action: the selection is cleared and the dialog closed. */
  onDone: () => void;
}

/** For actions that need each user's details (e-mail, rule): the selected candidates, as read just now. */
export interface RowsDialogProps extends Closing {
  rows: readonly RemovalCandidate[];
}

/**
 * For actions that depend on the state only: which selected candidates the action applies to, found
 * by the core (the rows themselves are not all read).
 */
export interface SelectionForAction {
  /** How many candidates are selected. */
  count: number;
  /** The selected candidates in a state the action takes. */
  ids: number[];
  /** The rows known among `ids`, in order, for their names. */
  sample: readonly RemovalCandidate[];
  /** Reads the rows of `ids` (their e-mail addresses, to protect them). */
  rowsOf: (ids: number[]) => Promise<RemovalCandidate[]>;
}

export interface StateDialogProps extends Closing {
  selection: SelectionForAction;
}

/** The states each action takes (the core's `state::next`); the others are left as they are. */
export const ACTION_STATES = {
  skip: ["ready", "awaitingUser", "awaitingApproval", "attentionRequired"],
  userKeeps: ["awaitingUser"],
  keep: ["awaitingApproval"],
  decline: ["awaitingApproval"],
  resume: ["attentionRequired"],
} as const satisfies Record<string, readonly CandidateState[]>;

// ------------------------------------------------------------------------------------------------
// Protect

/** Adds each candidate's user (by e-mail, in their profile) to Protected users: all or nothing, in the core. */
export function useProtectCandidates() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ rows, note }: { rows: readonly RemovalCandidate[]; note: string }) => {
      const added = await ipc.protectCandidates(
        rows.map((r) => r.id),
        note,
      );
      return { added, already: uniqueUsers(rows).length - added };
    },
    onSettled: (_result, _error, { rows }) =>
      Promise.all([
        ...[...new Set(rows.map((r) => r.profileId))].map((id) =>
          queryClient.invalidateQueries({ queryKey: reclaimKeys.protectedUsers(id) }),
        ),
        refreshCandidates(queryClient),
      ]),
  });
}

function uniqueUsers(rows: readonly RemovalCandidate[]): { profileId: number; email: string }[] {
  const seen = new Map<string, { profileId: number; email: string }>();
  for (const row of rows) {
    const email = row.email.trim().toLowerCase();
    seen.set(`${row.profileId}|${email}`, { profileId: row.profileId, email });
  }
  return [...seen.values()];
}

export function ProtectDialog({ rows, onClose, onDone }: RowsDialogProps) {
  const protect = useProtectCandidates();
  const [note, setNote] = useState("Kept after the review of removal candidates.");
  const users = uniqueUsers(rows);
  return (
    <Stack gap="md">
      <Text size="sm">
        Add {plural(users.length, "user", "users")} to Protected users. A protected user is never a removal candidate:
        their open candidates close now (Closed Skipped), and no new one opens.
      </Text>
      <UserList rows={rows} />
      <Textarea label="Note" description="Kept with each protection." autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
      {protect.error && <ErrorAlert title="Could not protect every user" error={protect.error} />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          loading={protect.isPending}
          onClick={() =>
            protect.mutate(
              { rows, note: note.trim() },
              {
                onSuccess: ({ added, already }) => {
                  notifySuccess(
                    "Protected",
                    `${plural(added, "user", "users")} added to Protected users${already > 0 ? `; ${countFormat.format(already)} already were` : ""}.`,
                  );
                  onDone();
                },
              },
            )
          }
        >
          Protect {plural(users.length, "user", "users")}
        </Button>
      </Group>
    </Stack>
  );
}

// ------------------------------------------------------------------------------------------------
// Skip, and Keep (Awaiting Approval: a skip with the user's answer as the reason)

const reasonSchema = z.object({ reason: z.string(), protect: z.boolean() }).superRefine((values, ctx) => {
  const reason = values.reason.trim();
  if (reason === "") {
    ctx.addIssue({
      code: "custom",
      path: ["reason"],
      message: "Say why these seats are kept (for example “needed for the Q3 audit”).",
    });
  } else if ([...reason].length > MAX_REASON) {
    ctx.addIssue({ code: "custom", path: ["reason"], message: `A reason has at most ${MAX_REASON} characters.` });
  }
});
type ReasonValues = z.infer<typeof reasonSchema>;

interface SkipFormProps extends StateDialogProps {
  leftOutWhy: string;
  noneText: string;
  intro: (count: number) => string;
  defaultReason?: string;
  /** Offer to protect the users too (Keep). */
  offerProtect?: boolean;
  confirm: (count: number) => string;
  doneTitle: string;
}

function SkipForm({ selection, onClose, onDone, leftOutWhy, noneText, intro, defaultReason = "", offerProtect, confirm, doneTitle }: SkipFormProps) {
  const skip = useSkipCandidates();
  const protect = useProtectCandidates();
  const [formError, setFormError] = useState<unknown>(null);
  const chosen = selection.ids;
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ReasonValues>({ resolver: zodResolver(reasonSchema), defaultValues: { reason: defaultReason, protect: false } });

  if (chosen.length === 0) return <NoneApplies onClose={onClose}>{noneText}</NoneApplies>;

  const onSubmit = handleSubmit(async ({ reason, protect: alsoProtect }) => {
    setFormError(null);
    try {
      // Their addresses are read first: once skipped, they are no longer open candidates.
      const rows = alsoProtect ? await selection.rowsOf(chosen) : [];
      const count = await skip.mutateAsync({ ids: chosen, reason: reason.trim() });
      if (alsoProtect) await protect.mutateAsync({ rows, note: reason.trim() });
      notifySuccess(doneTitle, `${plural(count, "candidate", "candidates")} moved to ${STATE_LABELS.closedSkipped}.`);
      onDone();
    } catch (error) {
      if (!applyFieldError(error, setError, { reason: "reason" })) setFormError(error);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <Text size="sm">{intro(chosen.length)}</Text>
        <UserList rows={selection.sample} total={chosen.length} />
        <LeftOut count={selection.count - chosen.length} why={leftOutWhy} />
        <Textarea
          label="Reason"
          description="Kept on each candidate; required."
          required
          withAsterisk={false}
          autosize
          minRows={2}
          data-autofocus
          error={errors.reason?.message}
          {...register("reason")}
        />
        {offerProtect && (
          <Checkbox
            label="Also add these users to Protected users (never candidates again)"
            {...register("protect")}
          />
        )}
        {formError !== null && <ErrorAlert title="Nothing was changed" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {confirm(chosen.length)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function SkipDialog(props: StateDialogProps) {
  return (
    <SkipForm
      {...props}
      leftOutWhy="closed, or being reclaimed (Awaiting Revocation)."
      noneText="None of the selected candidates can be skipped: they are closed, or being reclaimed."
      intro={(n) =>
        `Skip ${plural(n, "candidate", "candidates")}: ${n === 1 ? "it moves" : "they move"} to Closed Skipped and ${n === 1 ? "its seat is" : "their seats are"} not reclaimed. If the user is still inactive at a later refresh, a new candidate opens.`
      }
      confirm={(n) => `Skip ${plural(n, "candidate", "candidates")}`}
      doneTitle="Skipped"
    />
  );
}

export function KeepDialog(props: StateDialogProps) {
  return (
    <SkipForm
      {...props}
      leftOutWhy="not Awaiting Approval."
      noneText="None of the selected candidates is Awaiting Approval: Keep decides on a user's request to keep their seat."
      intro={(n) =>
        `Keep the seat of ${plural(n, "user", "users")} who asked for it: ${n === 1 ? "the candidate moves" : "the candidates move"} to Closed Skipped.`
      }
      defaultReason="The user asked to keep the seat."
      offerProtect
      confirm={(n) => `Keep ${plural(n, "seat", "seats")}`}
      doneTitle="Kept"
    />
  );
}

// ------------------------------------------------------------------------------------------------
// The notify loop's moves: the user's answer, and Decline

interface MoveDialogProps extends StateDialogProps {
  reviewMove: ReviewMove;
  from: CandidateState;
  intro: (count: number) => string;
  noneText: string;
  confirm: (count: number) => string;
  doneTitle: string;
}

function MoveDialog({ selection, onClose, onDone, reviewMove, from, intro, noneText, confirm, doneTitle }: MoveDialogProps) {
  const move = useMoveCandidates();
  const chosen = selection.ids;
  if (chosen.length === 0) return <NoneApplies onClose={onClose}>{noneText}</NoneApplies>;
  return (
    <Stack gap="md">
      <Text size="sm">{intro(chosen.length)}</Text>
      <UserList rows={selection.sample} total={chosen.length} />
      <LeftOut count={selection.count - chosen.length} why={`not ${STATE_LABELS[from]}.`} />
      {move.error && <ErrorAlert title="Nothing was changed" error={move.error} />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          loading={move.isPending}
          onClick={() =>
            move.mutate(
              { ids: chosen, reviewMove },
              {
                onSuccess: (count) => {
                  notifySuccess(doneTitle, `${plural(count, "candidate", "candidates")} moved.`);
                  onDone();
                },
              },
            )
          }
        >
          {confirm(chosen.length)}
        </Button>
      </Group>
    </Stack>
  );
}

export function UserKeepsDialog(props: StateDialogProps) {
  return (
    <MoveDialog
      {...props}
      reviewMove="userKeeps"
      from="awaitingUser"
      intro={(n) =>
        `Record that ${plural(n, "user", "users")} answered that they still need the seat: Awaiting User → Awaiting Approval. You then keep the seat or decline the request.`
      }
      noneText="None of the selected candidates is Awaiting User: an answer is recorded for users who were notified."
      confirm={(n) => `Record answer for ${plural(n, "user", "users")}`}
      doneTitle="Answer recorded"
    />
  );
}

export function DeclineDialog(props: StateDialogProps) {
  return (
    <MoveDialog
      {...props}
      reviewMove="declined"
      from="awaitingApproval"
      intro={(n) =>
        `Decline the request of ${plural(n, "user", "users")} to keep their seat: Awaiting Approval → Ready. The seat can then be reclaimed.`
      }
      noneText="None of the selected candidates is Awaiting Approval."
      confirm={(n) => `Decline ${plural(n, "request", "requests")}`}
      doneTitle="Declined"
    />
  );
}

// ------------------------------------------------------------------------------------------------
// Notify user

/** How many users the dialog lists with their own link; the CSV has all of them. */
const NOTIFY_LISTED = 50;

export function NotifyDialog({ rows, onClose, onDone }: RowsDialogProps) {
  const move = useMoveCandidates();
  const eligible = rows.filter((row) => row.notifyUser && row.state === "ready");
  const notifyOff = rows.filter((row) => !row.notifyUser).length;
  const notReady = rows.filter((row) => row.notifyUser && row.state !== "ready").length;
  const rules = useRulesOf([...new Set(eligible.map((r) => r.profileId))]);
  const days = eligible.length
    ? Math.min(
        ...eligible.map(
          (row) =>
            rules.flatMap((r) => r.data ?? []).find((rule) => rule.modelId === row.modelId)?.daysBeforeAutoReclamation ??
            Infinity,
        ),
      )
    : Infinity;
  const [subject, setSubject] = useState(NOTIFY_SUBJECT);
  const [edited, setEdited] = useState<string | null>(null);
  const body = edited ?? defaultNotifyBody(Number.isFinite(days) ? days : null);

  if (eligible.length === 0) {
    return (
      <NoneApplies onClose={onClose}>
        None of the selected candidates is a Ready one whose rule has Notify user on.{" "}
        {notifyOff > 0 && `${plural(notifyOff, "has", "have")} Notify user off on their rule. `}
        {notReady > 0 && `${plural(notReady, "is", "are")} not Ready.`}
      </NoneApplies>
    );
  }

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(`Subject: ${subject}\n\n${body}`);
      notifySuccess("Message copied", "Paste it into your mail program.");
    } catch (error) {
      notifyError("Could not copy the message", error);
    }
  };
  const open = (row: RemovalCandidate) =>
    openMailto(notifyMailto(row, subject, body)).catch((error: unknown) => notifyError("Could not open the e-mail", error));

  return (
    <Stack gap="md">
      <Text size="sm">
        Seatkeeper sends no e-mail. Send this message to {plural(eligible.length, "user", "users")} from your own mail
        program: copy it, export the list as CSV for a mail merge, or open a new e-mail per user. Then mark them notified:
        they move to Awaiting User until they answer.
      </Text>
      <LeftOut
        count={rows.length - eligible.length}
        why={[
          notifyOff > 0 ? `${countFormat.format(notifyOff)} with Notify user off on their rule` : "",
          notReady > 0 ? `${countFormat.format(notReady)} not Ready` : "",
        ]
          .filter(Boolean)
          .join("; ") + "."}
      />
      <TextInput label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
      <Textarea
        label="Message"
        description="In each user's e-mail and CSV line, “Hello,” becomes “Hello” and their name."
        autosize
        minRows={6}
        value={body}
        onChange={(e) => setEdited(e.currentTarget.value)}
      />
      <Group gap="xs">
        <Button variant="default" leftSection={<IconCopy size={16} aria-hidden />} onClick={() => void copy()}>
          Copy message
        </Button>
        <Button
          variant="default"
          leftSection={<IconDownload size={16} aria-hidden />}
          onClick={() => downloadTextFile("Users to notify.csv", notifyCsv(eligible, subject, body))}
        >
          Export CSV
        </Button>
      </Group>
      <UserList
        rows={eligible}
        max={NOTIFY_LISTED}
        render={(row) => (
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" truncate="end">
              {row.name ?? row.email} ({row.email})
            </Text>
            <Button
              size="compact-xs"
              variant="subtle"
              leftSection={<IconMail size={14} aria-hidden />}
              onClick={() => void open(row)}
              aria-label={`Open an e-mail to ${row.email}`}
            >
              Open e-mail
            </Button>
          </Group>
        )}
      />
      {move.error && <ErrorAlert title="Nothing was changed" error={move.error} />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          loading={move.isPending}
          onClick={() =>
            move.mutate(
              { ids: eligible.map((r) => r.id), reviewMove: "notified" },
              {
                onSuccess: (count) => {
                  notifySuccess("Marked notified", `${plural(count, "candidate", "candidates")} moved to Awaiting User.`);
                  onDone();
                },
              },
            )
          }
        >
          Mark {plural(eligible.length, "user", "users")} notified
        </Button>
      </Group>
    </Stack>
  );
}

export function ResumeDialog(props: StateDialogProps) {
  return (
    <MoveDialog
      {...props}
      reviewMove="resumed"
      from="attentionRequired"
      intro={(n) =>
        `Send ${plural(n, "candidate", "candidates")} whose reclaim failed back to Ready: Attention Required → Ready. Read the note on each first: Smartsheet's reason may need fixing before another try.`
      }
      noneText="None of the selected candidates is Attention Required: Resume reclaim is for candidates whose reclaim failed."
      confirm={(n) => `Resume ${plural(n, "candidate", "candidates")}`}
      doneTitle="Resumed"
    />
  );
}
