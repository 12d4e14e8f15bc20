import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { modals } from "@mantine/modals";
import { zodResolver } from "@hookform/resolvers/zod";
import { IconInfoCircle, IconPlus, IconShieldCheck, IconTrash } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import type { Profile } from "../../bindings/profiles";
import type { ProtectedUser } from "../../bindings/reclaim";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifyError, notifySuccess } from "../../components/notify";
import { applyFieldError } from "../../lib/formErrors";
import { userPatternProblem } from "../../lib/rules";
import { Count, DateCell, exportName } from "../profiles/related/cells";
import { useAddProtectedUser, useDeleteProtectedUser, useProtectedUsers } from "./queries";

const LIST = "Protected Users";

/** The core's longest note (reclaim/protected.rs). */
export const MAX_NOTE = 500;

export const PROTECTED_EXPLANATION =
  "Protected users are never removal candidates: executives, service accounts, anyone whose seat must stay. " +
  "Protect one person by e-mail address, or everyone at a domain and its subdomains. Adding a protection closes " +
  "their open candidates (Closed Skipped).";

/** A protection as the list shows it: domains are stored as "@example.com". */
export function patternLabel(pattern: string): string {
  return pattern.startsWith("@") ? `${pattern.slice(1)} (domain)` : pattern;
}

export function ProtectedUsers({ profile }: { profile: Profile }) {
  const list = useProtectedUsers(profile.id);
  const remove = useDeleteProtectedUser(profile.id);
  const [adding, setAdding] = useState(false);

  const onRemove = (user: ProtectedUser) =>
    modals.openConfirmModal({
      title: "Remove protection",
      children: (
        <Text size="sm">
          Stop protecting {patternLabel(user.pattern)}? Their paid seats can become removal candidates again at the
          next computation.
        </Text>
      ),
      labels: { confirm: "Remove", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(user.id, {
          onSuccess: () => notifySuccess("Protection removed", `${patternLabel(user.pattern)} is no longer protected.`),
          onError: (error) => notifyError("Could not remove the protection", error),
        }),
    });

  const columns = useMemo(() => {
    const column = createColumnHelper<ProtectedUser>();
    return [
      column.accessor("pattern", {
        header: "Email or domain",
        size: 260,
        meta: { text: (u) => patternLabel(u.pattern) },
        cell: (c) => patternLabel(c.getValue()),
      }),
      column.accessor("note", { header: "Note", size: 300 }),
      column.accessor("subscriptionCount", {
        header: "Subscriptions protected",
        size: 170,
        cell: (c) => <Count value={c.getValue()} />,
      }),
      column.accessor("createdAt", { header: "Added", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
      column.display({
        id: "actions",
        header: "Actions",
        size: 120,
        cell: (c) => (
          <Button
            size="compact-sm"
            variant="subtle"
            color="red"
            leftSection={<IconTrash size={14} aria-hidden />}
            onClick={() => onRemove(c.row.original)}
            aria-label={`Remove ${patternLabel(c.row.original.pattern)}`}
          >
            Remove
          </Button>
        ),
      }),
    ];
  }, []);

  const add = (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setAdding(true)}>
      Add
    </Button>
  );

  return (
    <Stack gap="sm">
      <Alert variant="light" color="blue" icon={<IconInfoCircle />} data-testid="protected-explanation">
        {PROTECTED_EXPLANATION}
      </Alert>
      <DataTable<ProtectedUser>
        label={LIST}
        data={list.data}
        isLoading={list.isPending}
        error={list.error}
        onRetry={() => void list.refetch()}
        columns={columns}
        getRowId={(u) => String(u.id)}
        initialSorting={[{ id: "pattern", desc: false }]}
        exportName={exportName(profile, LIST)}
        actions={add}
        maxHeight={360}
        data-testid="protected-table"
        empty={
          <EmptyState icon={<IconShieldCheck size={26} />} title="No protected users yet" action={add} data-testid="related-list-empty">
            Add the people whose seats must never be reclaimed.
          </EmptyState>
        }
      />
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add a protected user">
        {adding && <ProtectedUserForm profileId={profile.id} onClose={() => setAdding(false)} />}
      </Modal>
    </Stack>
  );
}

const protectedSchema = z
  .object({ pattern: z.string(), note: z.string() })
  .superRefine((values, ctx) => {
    const problem = userPatternProblem(values.pattern);
    if (problem) ctx.addIssue({ code: "custom", path: ["pattern"], message: problem });
    if ([...values.note.trim()].length > MAX_NOTE) {
      ctx.addIssue({ code: "custom", path: ["note"], message: `A note has at most ${MAX_NOTE} characters.` });
    }
  });

type ProtectedFormValues = z.infer<typeof protectedSchema>;

function ProtectedUserForm({ profileId, onClose }: { profileId: number; onClose: () => void }) {
  const add = useAddProtectedUser(profileId);
  const [formError, setFormError] = useState<unknown>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ProtectedFormValues>({ resolver: zodResolver(protectedSchema), defaultValues: { pattern: "", note: "" } });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await add.mutateAsync({ pattern: values.pattern.trim(), note: values.note.trim() });
      notifySuccess("Protected", `${patternLabel(saved.pattern)} is protected: never a removal candidate.`);
      onClose();
    } catch (error) {
      if (!applyFieldError(error, setError, { pattern: "pattern", note: "note" })) setFormError(error);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <TextInput
          label="Email or domain"
          description="One user (ann@example.com), or everyone at a domain and its subdomains (example.com)."
          placeholder="ceo@example.com or example.com"
          required
          withAsterisk={false}
          data-autofocus
          spellCheck={false}
          error={errors.pattern?.message}
          {...register("pattern")}
        />
        <Textarea
          label="Note"
          description="Why this seat must stay, for the next admin: “CFO”, “integration service account”."
          autosize
          minRows={2}
          error={errors.note?.message}
          {...register("note")}
        />
        {formError !== null && <ErrorAlert title="Could not add the protected user" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Add
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
