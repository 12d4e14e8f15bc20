import {
  Alert,
  Button,
  Chip,
  Divider,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Text,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import {
  IconFilterOff,
  IconMoodSmile,
  IconRefresh,
  IconUserOff,
} from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { type ComponentType, memo, useCallback, useId, useMemo, useRef, useState } from "react";

import type { Profile } from "../../../bindings/profiles";
import type {
  CandidateFilter,
  CandidateState,
  ComputeSummary,
  Justification,
  ReclamationRule,
  RemovalCandidate,
} from "../../../bindings/reclaim";
import { EmptyState } from "../../../components/EmptyState";
import { notifyError, notifySuccess } from "../../../components/notify";
import { SearchInput } from "../../../components/SearchInput";
import { formatDateTime } from "../../../lib/dates";
import * as ipc from "../../../lib/ipc";
import { useProfiles } from "../../profiles/queries";
import { ALL_STATES, countFormat, JUSTIFICATION_LABELS, OPEN_STATES, STATE_LABELS } from "../format";
import { candidateFilter, DEFAULT_CANDIDATE_SORT, useComputeCandidates, useRulesOf, useSavings } from "../queries";
import { CandidateTable } from "./CandidateTable";
import { DryRunSummary } from "./DryRunSummary";
import {
  ACTION_STATES,
  DeclineDialog,
  KeepDialog,
  NotifyDialog,
  ProtectDialog,
  ResumeDialog,
  type RowsDialogProps,
  type SelectionForAction,
  SkipDialog,
  type StateDialogProps,
  UserKeepsDialog,
} from "./ReviewDialogs";
import { useCandidateWindows } from "./useCandidateWindows";

/** Said on every review screen: who never appears here. */
export const NEVER_CANDIDATES =
  "Only paid seats (MEMBER, or Licensed on a legacy plan) are candidates. System Admins, the API key's owner, " +
  "subscriptions excluded by an exclusion rule, Protected users and accounts within their rule's grace period never " +
  "are; PROVISIONAL_MEMBER seats are free for now and are not candidates either.";

export const REPORT_ONLY_REASON =
  "Reclaim subscriptions is cleared on this profile: candidates are reported only. Select Reclaim subscriptions on the profile to reclaim seats.";

/** Why Reclaim is not available for candidates of `profiles`, or null. */
export function reclaimBlocked(profiles: readonly Profile[], single: boolean): string | null {
  for (const p of profiles) {
    if (p.status === "Draft") {
      return single
        ? "This profile is Draft: seats are reclaimed only from a published profile. Validate the connection and publish the profile to reclaim seats."
        : `“${p.displayName}” is Draft: seats are reclaimed only from a published profile. Validate its connection and publish it to reclaim seats.`;
    }
  }
  for (const p of profiles) {
    if (!p.reclaimSubscriptions) {
      return single
        ? REPORT_ONLY_REASON
        : `Reclaim subscriptions is cleared on “${p.displayName}”: its candidates are reported only. Select Reclaim subscriptions on the profile to reclaim seats.`;
    }
  }
  return null;
}

/**
 * Why the activity behind the candidates of `profiles` may be stale: a profile whose events job
 * is paused. Candidates then may list users who have been active since its last run.
 */
export function staleActivity(profiles: readonly Profile[]): string | null {
  const paused = profiles.flatMap((p) => p.jobs.filter((j) => j.kind === "Events" && !j.active));
  if (paused.length === 0) return null;
  const jobs = paused
    .map((j) => `“${j.name}” (last run ${j.lastSucceededAt ? formatDateTime(j.lastSucceededAt) : "never"})`)
    .join(", ");
  return (
    `Activity is stale: ${jobs} ${paused.length > 1 ? "are" : "is"} paused, so users who have been active since ` +
    "may be listed here as inactive. Automatic reclaim waits until the job is active again. Make it active in " +
    "Scheduled Jobs, or select Run now, before you reclaim."
  );
}

type StateAction = keyof typeof ACTION_STATES;
type RowsAction = "protect" | "notify";

const STATE_DIALOGS: Record<StateAction, { title: string; Component: ComponentType<StateDialogProps> }> = {
  skip: { title: "Skip candidates", Component: SkipDialog },
  userKeeps: { title: "Record answer: keeps it", Component: UserKeepsDialog },
  keep: { title: "Keep the seat", Component: KeepDialog },
  decline: { title: "Decline the request", Component: DeclineDialog },
  resume: { title: "Resume reclaim", Component: ResumeDialog },
};
const ROWS_DIALOGS: Record<RowsAction, { title: string; Component: ComponentType<RowsDialogProps> }> = {
  protect: { title: "Protect users", Component: ProtectDialog },
  notify: { title: "Notify user", Component: NotifyDialog },
};

type OpenDialog =
  | { kind: StateAction; selection: SelectionForAction }
  | { kind: RowsAction; rows: RemovalCandidate[] };

export interface CandidateReviewProps {
  /** The profile's related list: only its candidates, without the Profile column. */
  profile?: Profile;
  /**
   * Reclaims the selected candidates (the confirmation and the run); `selection` lets it select
   * others instead (the allowed ones of a selection the core refused in part) or clear it once
   * confirmed. Without it, the Reclaim button is shown only when reclaiming is blocked, with the reason.
   */
  onReclaim?: (ids: number[], selection: ReclaimSelection) => void;
  /** The filter the screen opens with (a link from the License Usage view: one profile's model). */
  initialFilter?: { profileId: number | null; modelId: number | null };
}

/** The list's selection, for the Reclaim confirmation. */
export interface ReclaimSelection {
  /** Selects exactly `ids` (of those selected). */
  reselect: (ids: number[]) => void;
  clear: () => void;
}

interface Selection {
  /** The filter the selection was made under: another filter starts with nothing selected. */
  key: string;
  ids: ReadonlySet<number>;
  /** Rows ticked one by one, as read then (select-all has ids only). */
  rows: ReadonlyMap<number, RemovalCandidate>;
}

const RESOLVE_PAGE = 500;

/**
 * Removal Candidates: filters that the core applies, a list read in windows, a dry run of the
 * selection and of the filter that is always in view, and the review's actions on the selection.
 */
export function CandidateReview({ profile, onReclaim, initialFilter }: CandidateReviewProps) {
  const domIds = { reason: useId() };
  const profiles = useProfiles();
  const allProfiles = profiles.data ?? (profile ? [profile] : []);
  const profileById = (id: number) => (profile?.id === id ? profile : allProfiles.find((p) => p.id === id));

  const [profileFilter, setProfileFilter] = useState<number | null>(initialFilter?.profileId ?? null);
  const [modelId, setModelId] = useState<number | null>(initialFilter?.modelId ?? null);
  const [states, setStates] = useState<CandidateState[]>(OPEN_STATES);
  const [justification, setJustification] = useState<Justification | null>(null);
  const [minDays, setMinDays] = useState<number | "">("");
  const [searchText, setSearchText] = useState("");
  const [search] = useDebouncedValue(searchText.trim(), 300);
  const [minInactiveDays] = useDebouncedValue(minDays, 300);
  const [{ sort, descending }, setSort] = useState(DEFAULT_CANDIDATE_SORT);

  const profileId = profile?.id ?? profileFilter;
  const filter: CandidateFilter = useMemo(
    () =>
      candidateFilter({
        profileId,
        modelId,
        states,
        justification,
        minInactiveDays: minInactiveDays === "" ? null : minInactiveDays,
        search,
      }),
    [profileId, modelId, states, justification, minInactiveDays, search],
  );
  const filterKey = JSON.stringify(filter);
  const narrowed =
    modelId !== null ||
    justification !== null ||
    minDays !== "" ||
    search !== "" ||
    states.length !== OPEN_STATES.length ||
    !OPEN_STATES.every((s) => states.includes(s));
  // The filters and the states are rendered again only when they change, not each time a window of
  // rows, a count or a dry run arrives: their callbacks stay the same functions.
  const resetFilters = useCallback(() => {
    setModelId(null);
    setStates(OPEN_STATES);
    setJustification(null);
    setMinDays("");
    setSearchText("");
  }, []);

  // The profiles whose rules give the model filter, and explain an empty list.
  const published = allProfiles.filter((p) => p.status === "Published");
  const scopeIds = profileId !== null ? [profileId] : published.map((p) => p.id);
  const rules = useRulesOf(scopeIds);
  const scopeRules = rules.flatMap((r) => r.data ?? []);

  const windows = useCandidateWindows(filter, sort, descending);

  const [selection, setSelection] = useState<Selection>({ key: filterKey, ids: new Set(), rows: new Map() });
  const current = selection.key === filterKey ? selection : { key: filterKey, ids: new Set<number>(), rows: new Map() };
  const selectedIds = useMemo(() => [...current.ids].sort((a, b) => a - b), [current.ids]);
  const clearSelection = () => setSelection({ key: filterKey, ids: new Set(), rows: new Map() });
  const toggle = (row: RemovalCandidate, on: boolean) => {
    const ids = new Set(current.ids);
    const rows = new Map(current.rows);
    if (on) {
      ids.add(row.id);
      rows.set(row.id, row);
    } else {
      ids.delete(row.id);
      rows.delete(row.id);
    }
    setSelection({ key: filterKey, ids, rows });
  };
  const selectAll = useMutation({
    mutationFn: () => ipc.candidateIds(filter),
    onSuccess: (ids) => setSelection({ key: filterKey, ids: new Set(ids), rows: new Map() }),
    onError: (error) => notifyError("Could not select the candidates", error),
  });

  const filterSavings = useSavings(filter, null);
  const selectionSavings = useSavings(filter, selectedIds, selectedIds.length > 0);
  const firstIds = new Set(windows.firstRows.map((r) => r.id));
  const knownSelected = [
    ...windows.firstRows.filter((r) => current.ids.has(r.id)),
    ...[...current.rows.values()].filter((r) => !firstIds.has(r.id)),
  ];

  /** Rows read already: those ticked, and the windows held (fresher). */
  const knownRows = () => {
    const known = new Map(current.rows);
    for (const [id, row] of windows.loadedRows()) known.set(id, row);
    return known;
  };

  /** The rows of `ids` (selected, so within the filter): those read already, the others read now in windows. */
  const rowsOf = async (ids: readonly number[]): Promise<RemovalCandidate[]> => {
    const known = knownRows();
    const missing = new Set(ids.filter((id) => !known.has(id)));
    for (let offset = 0; missing.size > 0; ) {
      const page = await ipc.listCandidates({ filter, sort: "opened", descending: false, offset, limit: RESOLVE_PAGE });
      for (const row of page.rows) if (missing.delete(row.id)) known.set(row.id, row);
      offset += page.rows.length;
      if (page.rows.length === 0 || offset >= page.total) break;
    }
    return ids.flatMap((id) => known.get(id) ?? []);
  };

  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  const [opening, setOpening] = useState<StateAction | RowsAction | null>(null);
  const openDialog = async (kind: StateAction | RowsAction) => {
    setOpening(kind);
    try {
      if (kind === "protect" || kind === "notify") {
        setDialog({ kind, rows: await rowsOf(selectedIds) });
      } else {
        // Which selected candidates are in a state the action takes: asked of the core, so that
        // thousands selected by filter need not be read.
        const inState = await ipc.candidateIds({ ...filter, states: [...ACTION_STATES[kind]] });
        const ids = inState.filter((id) => current.ids.has(id));
        const known = knownRows();
        const sample = ids.slice(0, 50).flatMap((id) => known.get(id) ?? []);
        setDialog({ kind, selection: { count: selectedIds.length, ids, sample, rowsOf } });
      }
    } catch (error) {
      notifyError("Could not read the selected candidates", error);
    } finally {
      setOpening(null);
    }
  };

  const compute = useComputeCandidates();
  const [computed, setComputed] = useState<ComputeSummary | null>(null);
  const recompute = () =>
    compute.mutate(scopeIds, {
      onSuccess: (summary) => {
        setComputed(summary);
        notifySuccess("Candidates recomputed", `${countFormat.format(summary.open)} open candidates.`);
      },
      onError: (error) => notifyError("Could not recompute the candidates", error),
    });

  // Reclaim: blocked with a reason for the profiles concerned, else the parent's to run.
  const reclaimProfileIds =
    profileId !== null ? [profileId] : [...new Set(knownSelected.map((r) => r.profileId))];
  const blocked = reclaimBlocked(
    reclaimProfileIds.flatMap((id) => profileById(id) ?? []),
    profile !== undefined || profileFilter !== null,
  );

  const stale = staleActivity(scopeIds.flatMap((id) => profileById(id) ?? []));

  const modelOptions = useSameValue(modelOptionsOf(scopeRules, scopeIds.length > 1 ? profileById : null));
  const chooseProfile = useCallback((value: number | null) => {
    setProfileFilter(value);
    setModelId(null);
  }, []);
  const profileOptions = useSameValue(allProfiles.map((p) => ({ value: String(p.id), label: p.displayName })));
  const profileSelect = useMemo(
    () => (profile === undefined ? { options: profileOptions, value: profileFilter, onChange: chooseProfile } : null),
    [profile, profileOptions, profileFilter, chooseProfile],
  );
  const nothingSelected = selectedIds.length === 0;
  const action = (kind: StateAction | RowsAction, label: string, color?: string) => (
    <Button
      size="xs"
      variant="light"
      color={color}
      disabled={nothingSelected}
      loading={opening === kind}
      onClick={() => void openDialog(kind)}
    >
      {label}
    </Button>
  );

  const reclaimSelection: ReclaimSelection = {
    reselect: (ids) => {
      const keep = new Set(ids);
      setSelection({ key: filterKey, ids: keep, rows: new Map([...current.rows].filter(([id]) => keep.has(id))) });
    },
    clear: () => setSelection({ key: filterKey, ids: new Set(), rows: new Map() }),
  };

  const closeDialog = () => setDialog(null);
  const doneDialog = () => {
    setDialog(null);
    clearSelection();
  };
  const dialogTitle =
    dialog === null
      ? ""
      : needsRows(dialog)
        ? ROWS_DIALOGS[dialog.kind].title
        : STATE_DIALOGS[dialog.kind].title;

  return (
    <Stack gap="sm" data-testid="candidate-review">

      <CandidateFilters
        profileSelect={profileSelect}
        modelOptions={modelOptions}
        modelId={modelId}
        onModel={setModelId}
        justification={justification}
        onJustification={setJustification}
        minDays={minDays}
        onMinDays={setMinDays}
        searchText={searchText}
        onSearchText={setSearchText}
        narrowed={narrowed}
        onReset={resetFilters}
      />
      <StateChips states={states} onChange={setStates} />

      <DryRunSummary
        selection={{
          count: selectedIds.length,
          summary: selectionSavings.data,
          error: selectionSavings.error,
          rows: knownSelected,
        }}
        filter={{ summary: filterSavings.data, error: filterSavings.error, rows: windows.firstRows }}
        // The screen's title is an h2; the related list sits under "Related lists", an h3.
        headingOrder={profile ? 4 : 3}
      />

      <Group gap="xs" wrap="wrap" data-testid="selection-bar">
        <Text size="sm" fw={500} data-testid="selected-count">
          {countFormat.format(selectedIds.length)} selected
        </Text>
        {windows.total !== undefined && windows.total > 0 && (
          <Text size="sm" c="dimmed" data-testid="candidate-count">
            · {countFormat.format(windows.total)} {windows.total === 1 ? "candidate matches" : "candidates match"}
          </Text>
        )}
        <Button
          size="xs"
          variant="subtle"
          disabled={!windows.total}
          loading={selectAll.isPending}
          onClick={() => selectAll.mutate()}
        >
          {windows.total === undefined ? "Select all that match" : `Select all ${countFormat.format(windows.total)} that match`}
        </Button>
        <Button size="xs" variant="subtle" color="gray" disabled={nothingSelected} onClick={clearSelection}>
          Clear selection
        </Button>
        <Divider orientation="vertical" />
        {action("skip", "Skip")}
        {action("protect", "Protect")}
        {action("notify", "Notify user")}
        {action("userKeeps", "Record answer: keeps it")}
        {action("keep", "Keep")}
        {action("decline", "Decline")}
        {action("resume", "Resume reclaim")}
        <Divider orientation="vertical" />
        <Button
          size="xs"
          variant="default"
          leftSection={<IconRefresh size={14} aria-hidden />}
          disabled={scopeIds.length === 0}
          loading={compute.isPending}
          onClick={recompute}
        >
          Recompute candidates
        </Button>
        {blocked !== null ? (
          <Button size="xs" disabled aria-describedby={domIds.reason}>
            Reclaim
          </Button>
        ) : (
          onReclaim && (
            <Button size="xs" disabled={nothingSelected} onClick={() => onReclaim(selectedIds, reclaimSelection)}>
              Reclaim
            </Button>
          )
        )}
      </Group>
      {blocked !== null && (
        <Text size="sm" c="dimmed" id={domIds.reason} data-testid="reclaim-reason">
          {blocked}
        </Text>
      )}
      {stale !== null && (
        <Alert color="yellow" variant="light" title="Activity is not being refreshed" data-testid="stale-activity">
          {stale}
        </Alert>
      )}
      {computed && (
        <Alert
          color="teal"
          variant="light"
          title="Candidates recomputed"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setComputed(null)}
          data-testid="compute-summary"
        >
          {countFormat.format(computed.opened)} opened, {countFormat.format(computed.updated)} updated,{" "}
          {countFormat.format(computed.canceled)} Closed Canceled (active again), {countFormat.format(computed.skipped)}{" "}
          Closed Skipped (no longer a seat the rules reclaim), {countFormat.format(computed.noAnswer)} back to Ready (no
          answer in time). {countFormat.format(computed.open)} open in all.
        </Alert>
      )}

      <CandidateTable
        windows={windows}
        showProfile={profile === undefined}
        resetKey={JSON.stringify([filterKey, sort, descending])}
        selected={current.ids}
        onToggle={toggle}
        sort={sort}
        descending={descending}
        onSort={(next) =>
          setSort((s) =>
            s.sort === next ? { sort: next, descending: !s.descending } : { sort: next, descending: next === "inactiveDays" },
          )
        }
        empty={
          narrowed ? (
            <EmptyState
              icon={<IconFilterOff size={26} />}
              title="No candidates match the filters"
              action={<Button onClick={resetFilters}>Reset filters</Button>}
              data-testid="candidates-empty"
            >
              Widen the filters, or include closed states to see past decisions.
            </EmptyState>
          ) : (
            <NoCandidates
              profiles={profileId !== null ? [profileById(profileId)].flatMap((p) => p ?? []) : allProfiles}
              rules={scopeRules}
              rulesPending={rules.some((r) => r.isPending)}
              single={profile !== undefined}
            />
          )
        }
      />

      <Text size="xs" c="dimmed" maw={900} data-testid="never-candidates">
        {NEVER_CANDIDATES}
      </Text>

      <Modal opened={dialog !== null} onClose={closeDialog} title={dialogTitle} size="lg">
        {dialog !== null && renderDialog(dialog, closeDialog, doneDialog)}
      </Modal>
    </Stack>
  );
}

const needsRows = (d: OpenDialog): d is Extract<OpenDialog, { rows: RemovalCandidate[] }> => "rows" in d;

function renderDialog(dialog: OpenDialog, onClose: () => void, onDone: () => void) {
  if (needsRows(dialog)) {
    const { Component } = ROWS_DIALOGS[dialog.kind];
    return <Component rows={dialog.rows} onClose={onClose} onDone={onDone} />;
  }
  const { Component } = STATE_DIALOGS[dialog.kind];
  return <Component selection={dialog.selection} onClose={onClose} onDone={onDone} />;
}

/** `value`, or the value of the previous render where it is the same (JSON): a stable prop for memo. */
function useSameValue<T>(value: T): T {
  const kept = useRef<{ json: string; value: T } | null>(null);
  const json = JSON.stringify(value);
  if (kept.current === null || kept.current.json !== json) kept.current = { json, value };
  return kept.current.value;
}

interface CandidateFiltersProps {
  /** The Profile filter, on the screen across profiles (not on a profile's own list). */
  profileSelect: { options: { value: string; label: string }[]; value: number | null; onChange: (id: number | null) => void } | null;
  modelOptions: { value: string; label: string }[];
  modelId: number | null;
  onModel: (id: number | null) => void;
  justification: Justification | null;
  onJustification: (justification: Justification | null) => void;
  minDays: number | "";
  onMinDays: (days: number | "") => void;
  searchText: string;
  onSearchText: (text: string) => void;
  narrowed: boolean;
  onReset: () => void;
}

const CandidateFilters = memo(function CandidateFilters({
  profileSelect,
  modelOptions,
  modelId,
  onModel,
  justification,
  onJustification,
  minDays,
  onMinDays,
  searchText,
  onSearchText,
  narrowed,
  onReset,
}: CandidateFiltersProps) {
  const justificationId = useId();
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" data-testid="candidate-filters">
      {profileSelect && (
        <Select
          label="Profile"
          placeholder="All profiles"
          data={profileSelect.options}
          value={profileSelect.value === null ? null : String(profileSelect.value)}
          onChange={(value) => profileSelect.onChange(value === null ? null : Number(value))}
          clearable
          w={180}
        />
      )}
      <Select
        label="Software model"
        placeholder="All models"
        data={modelOptions}
        value={modelId === null ? null : String(modelId)}
        onChange={(value) => onModel(value === null ? null : Number(value))}
        clearable
        w={220}
      />
      <Stack gap={2}>
        <Text size="sm" fw={500} id={justificationId}>
          Justification
        </Text>
        <SegmentedControl
          aria-labelledby={justificationId}
          size="xs"
          value={justification ?? "any"}
          onChange={(value) => onJustification(value === "any" ? null : (value as Justification))}
          data={[
            { value: "any", label: "Any" },
            { value: "lowUsage", label: JUSTIFICATION_LABELS.lowUsage },
            { value: "neverUsed", label: JUSTIFICATION_LABELS.neverUsed },
          ]}
        />
      </Stack>
      <NumberInput
        label="Minimum inactive days"
        placeholder="Any"
        min={0}
        allowDecimal={false}
        allowNegative={false}
        value={minDays}
        onChange={(value) => onMinDays(typeof value === "number" ? value : value === "" ? "" : Number(value))}
        w={170}
      />
      <SearchInput
        label="Search user"
        placeholder="Name or e-mail"
        value={searchText}
        onChange={onSearchText}
        w={220}
      />
      {narrowed && (
        <Button variant="subtle" size="xs" onClick={onReset} leftSection={<IconFilterOff size={14} aria-hidden />}>
          Reset filters
        </Button>
      )}
    </Group>
  );
});

/** The State filter: a chip for each state. */
const StateChips = memo(function StateChips({
  states,
  onChange,
}: {
  states: CandidateState[];
  onChange: (states: CandidateState[]) => void;
}) {
  const statesId = useId();
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500} id={statesId}>
        State
      </Text>
      <Chip.Group multiple value={states} onChange={(value) => onChange(value as CandidateState[])}>
        <Group gap={6} role="group" aria-labelledby={statesId}>
          {ALL_STATES.map((state) => (
            <Chip key={state} value={state} size="xs">
              {STATE_LABELS[state]}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
    </Stack>
  );
});

function modelOptionsOf(rules: readonly ReclamationRule[], profileOf: ((id: number) => Profile | undefined) | null) {
  return rules
    .filter((r) => r.paid)
    .map((r) => ({
      value: String(r.modelId),
      label: profileOf ? `${r.modelName} (${profileOf(r.profileId)?.displayName ?? r.profileId})` : r.modelName,
    }));
}

interface NoCandidatesProps {
  profiles: readonly Profile[];
  rules: readonly ReclamationRule[];
  rulesPending: boolean;
  /** The profile's own list ("this profile"). */
  single: boolean;
}

/** Why the list is empty: no published profile, no paid seats, rules not Active, or everyone active. */
export function NoCandidates({ profiles, rules, rulesPending, single }: NoCandidatesProps) {
  const empty = (title: string, text: string, icon = <IconUserOff size={26} />) => (
    <EmptyState icon={icon} title={title} data-testid="candidates-empty">
      {text}
    </EmptyState>
  );
  if (profiles.length === 0) {
    return empty(
      "No integration profile yet",
      "Removal candidates come from a published profile's subscriptions and activity. Create a profile, validate its connection and publish it.",
    );
  }
  if (!profiles.some((p) => p.status === "Published")) {
    return empty(
      "No published profile",
      `${single ? "This profile is Draft. " : ""}Removal candidates are computed for published profiles, at the end of each refresh. Validate the connection and publish the profile; its first refresh then computes them.`,
    );
  }
  if (rulesPending) return <Skeleton h={120} />;
  if (rules.length === 0) {
    return empty(
      "No subscriptions yet",
      "Removal candidates are computed at the end of each refresh. They are available after the first refresh of Subscriptions.",
    );
  }
  const paid = rules.filter((r) => r.paid && r.subscriptionCount > 0);
  if (paid.length === 0) {
    return empty(
      "No paid seats",
      "None of the subscriptions is a paid seat (MEMBER on the User Subscription Model, or Licensed on a legacy plan). Only paid seats are reclaimed; PROVISIONAL_MEMBER seats are free for now and are never candidates.",
    );
  }
  if (!paid.some((r) => r.active)) {
    return empty(
      "The reclamation rules are not Active",
      `The rules of the paid models (${paid.map((r) => r.modelName).join(", ")}) are not Active, so they produce no candidates. Make a rule Active on Reclamation Rules, then recompute the candidates.`,
    );
  }
  const thresholds = [...new Set(paid.filter((r) => r.active).map((r) => r.lastActivityThresholdDays))].sort((a, b) => a - b);
  return empty(
    "Everyone with a paid seat is active",
    `Every paid seat was used within its rule's last activity threshold (${thresholds.join(" or ")} days), or its user is never a candidate: a System Admin, the API key's owner, an excluded subscription, a Protected user, or an account within the grace period.`,
    <IconMoodSmile size={26} />,
  );
}
