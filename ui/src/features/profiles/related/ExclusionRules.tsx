import { Button, Group, Modal, Stack, Switch, Text, TextInput } from "@mantine/core";
import { modals } from "@mantine/modals";
import { zodResolver } from "@hookform/resolvers/zod";
import { IconFilterOff, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { Controller, useForm } from "react-hook-form";

import type { Profile } from "../../../bindings/profiles";
import { DataTable } from "../../../components/DataTable";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { notifyError, notifySuccess } from "../../../components/notify";
import { applyFieldError } from "../../../lib/formErrors";
import type { IdentifierExclusionRule, UserExclusionRule } from "../../../bindings/exclusions";
import { Count, DateCell, exportName } from "./cells";
import { type ExclusionFormValues, identifierRuleSchema, userRuleSchema } from "./exclusionForm";
import {
  useDeleteExclusionRule,
  useExclusionRules,
  useSaveIdentifierExclusion,
  useSaveUserExclusion,
} from "./queries";

/** What differs between the two rule lists. */
interface RuleKind<R> {
  kind: "identifier" | "user";
  list: string;
  /** The rule's identifier or pattern. */
  valueOf: (rule: R) => string;
  valueHeader: string;
  fieldLabel: string;
  fieldDescription: string;
  placeholder: string;
  /** The backend's field name for `value`. */
  backendField: string;
  schema: typeof identifierRuleSchema;
  emptyText: (profile: Profile) => string;
}

const IDENTIFIER_KIND: RuleKind<IdentifierExclusionRule> = {
  kind: "identifier",
  list: "Subscription Identifier Exclusion Rule",
  valueOf: (rule) => rule.identifier,
  valueHeader: "Subscription identifier",
  fieldLabel: "Subscription identifier",
  fieldDescription: "Every subscription with this identifier (seat type), in any letter case, is excluded.",
  placeholder: "e.g. GUEST",
  backendField: "identifier",
  schema: identifierRuleSchema,
  emptyText: () =>
    "Exclude every subscription of a seat type (for example GUEST) from license cost and reclamation calculations.",
};

const USER_KIND: RuleKind<UserExclusionRule> = {
  kind: "user",
  list: "Subscription User Exclusion Rule",
  valueOf: (rule) => rule.pattern,
  valueHeader: "Email or domain",
  fieldLabel: "Email or domain",
  fieldDescription: "One user (ann@example.com), or everyone at a domain and its subdomains (contractors.example).",
  placeholder: "ann@example.com or contractors.example",
  backendField: "pattern",
  schema: userRuleSchema,
  emptyText: () =>
    "Exclude a user, or everyone at a domain, from license cost and reclamation calculations — service accounts or contractors, for example.",
};

export function IdentifierExclusionRules({ profile }: { profile: Profile }) {
  return <RulesList profile={profile} kind={IDENTIFIER_KIND} select={(r) => r.identifierRules} />;
}

export function UserExclusionRules({ profile }: { profile: Profile }) {
  return <RulesList profile={profile} kind={USER_KIND} select={(r) => r.userRules} />;
}

type AnyRule = IdentifierExclusionRule | UserExclusionRule;

interface RulesListProps<R extends AnyRule> {
  profile: Profile;
  kind: RuleKind<R>;
  select: (rules: { identifierRules: IdentifierExclusionRule[]; userRules: UserExclusionRule[] }) => R[];
}

function useSaveRule(profile: Profile, kind: RuleKind<AnyRule>) {
  const identifier = useSaveIdentifierExclusion(profile.id);
  const user = useSaveUserExclusion(profile.id);
  return (rule: { id?: number; value: string; active: boolean }) =>
    kind.kind === "identifier"
      ? identifier.mutateAsync({ id: rule.id, identifier: rule.value, active: rule.active })
      : user.mutateAsync({ id: rule.id, pattern: rule.value, active: rule.active });
}

function RulesList<R extends AnyRule>({ profile, kind, select }: RulesListProps<R>) {
  const rules = useExclusionRules(profile.id);
  const save = useSaveRule(profile, kind as RuleKind<AnyRule>);
  const remove = useDeleteExclusionRule(profile.id);
  const [editing, setEditing] = useState<{ rule: R | null } | null>(null);

  const onToggle = (rule: R, active: boolean) =>
    save({ id: rule.id, value: kind.valueOf(rule), active }).catch((error) =>
      notifyError(`Could not ${active ? "activate" : "deactivate"} the rule`, error),
    );

  const onDelete = (rule: R) =>
    modals.openConfirmModal({
      title: "Delete exclusion rule",
      children: (
        <Text size="sm">
          Delete the rule for “{kind.valueOf(rule)}”? The subscriptions it excludes count again in cost and
          reclamation. To stop it for a while instead, switch it off.
        </Text>
      ),
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(
          { kind: kind.kind, id: rule.id },
          {
            onSuccess: () => notifySuccess("Rule deleted", `The rule for “${kind.valueOf(rule)}” is deleted.`),
            onError: (error) => notifyError("Could not delete the rule", error),
          },
        ),
    });

  const columns = useMemo(() => {
    const column = createColumnHelper<R>();
    return [
      column.accessor((r) => kind.valueOf(r), { id: "value", header: kind.valueHeader, size: 260 }),
      column.accessor((r) => r.active, {
        id: "active",
        header: "Active",
        size: 100,
        meta: { filter: { options: ["Yes", "No"] } },
        cell: (c) => (
          <Switch
            checked={c.getValue()}
            onChange={(event) => void onToggle(c.row.original, event.currentTarget.checked)}
            aria-label={`Active: ${kind.valueOf(c.row.original)}`}
          />
        ),
      }),
      column.accessor((r) => r.subscriptionCount, {
        id: "subscriptionCount",
        header: "Subscriptions matched",
        size: 180,
        cell: (c) => <Count value={c.getValue()} />,
      }),
      column.accessor((r) => r.createdAt, { id: "createdAt", header: "Created", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
      column.accessor((r) => r.updatedAt, { id: "updatedAt", header: "Updated", size: 150, cell: (c) => <DateCell value={c.getValue()} /> }),
      column.display({
        id: "actions",
        header: "Actions",
        size: 190,
        cell: (c) => (
          <Group gap={4} wrap="nowrap">
            <Button
              size="compact-sm"
              variant="subtle"
              leftSection={<IconPencil size={14} aria-hidden />}
              onClick={() => setEditing({ rule: c.row.original })}
              aria-label={`Edit ${kind.valueOf(c.row.original)}`}
            >
              Edit
            </Button>
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={() => onDelete(c.row.original)}
              aria-label={`Delete ${kind.valueOf(c.row.original)}`}
            >
              Delete
            </Button>
          </Group>
        ),
      }),
    ];
    // The handlers only use mutations and setters that keep their identity.
  }, [kind]);

  const newRule = (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing({ rule: null })}>
      New rule
    </Button>
  );

  return (
    <>
      <DataTable<R>
        label={kind.list}
        data={rules.data ? select(rules.data) : undefined}
        isLoading={rules.isPending}
        error={rules.error}
        onRetry={() => void rules.refetch()}
        columns={columns}
        getRowId={(r) => String(r.id)}
        initialSorting={[{ id: "value", desc: false }]}
        exportName={exportName(profile, kind.list)}
        actions={newRule}
        onRowActivate={(rule) => setEditing({ rule })}
        data-testid={`${kind.kind}-rules-table`}
        empty={
          <EmptyState
            icon={<IconFilterOff size={26} />}
            title={`No ${kind.list}s yet`}
            action={newRule}
            data-testid="related-list-empty"
          >
            {kind.emptyText(profile)}
          </EmptyState>
        }
      />
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.rule ? `Edit ${kind.list}` : `New ${kind.list}`}
      >
        {editing && (
          <RuleForm
            kind={kind as RuleKind<AnyRule>}
            rule={editing.rule}
            save={save}
            onClose={() => setEditing(null)}
          />
        )}
      </Modal>
    </>
  );
}

interface RuleFormProps {
  kind: RuleKind<AnyRule>;
  rule: AnyRule | null;
  save: ReturnType<typeof useSaveRule>;
  onClose: () => void;
}

function RuleForm({ kind, rule, save, onClose }: RuleFormProps) {
  const [formError, setFormError] = useState<unknown>(null);
  const {
    register,
    control,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ExclusionFormValues>({
    resolver: zodResolver(kind.schema),
    defaultValues: { value: rule ? kind.valueOf(rule) : "", active: rule?.active ?? true },
  });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await save({ id: rule?.id, value: values.value.trim(), active: values.active });
      notifySuccess(rule ? "Rule saved" : "Rule created", `The rule for “${kind.valueOf(saved)}” is saved.`);
      onClose();
    } catch (error) {
      if (!applyFieldError(error, setError, { [kind.backendField]: "value", active: "active" })) setFormError(error);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <TextInput
          label={kind.fieldLabel}
          description={kind.fieldDescription}
          placeholder={kind.placeholder}
          required
          withAsterisk={false}
          data-autofocus
          spellCheck={false}
          error={errors.value?.message}
          {...register("value")}
        />
        <Controller
          control={control}
          name="active"
          render={({ field }) => (
            <Switch
              label="Active"
              description="Only active rules exclude subscriptions."
              checked={field.value}
              onChange={(event) => field.onChange(event.currentTarget.checked)}
              onBlur={field.onBlur}
            />
          )}
        />
        {formError !== null && <ErrorAlert title="Could not save the rule" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {rule ? "Save" : "Create"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
