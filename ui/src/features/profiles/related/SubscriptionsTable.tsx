import {
  Anchor,
  Badge,
  Button,
  Drawer,
  Group,
  Select,
  Skeleton,
  Stack,
  Text,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconDownload } from "@tabler/icons-react";
import { memo, type ReactNode, useCallback, useMemo, useRef, useState } from "react";

import type { Profile } from "../../../bindings/profiles";
import type {
  ActivitySource,
  ActivitySourceFilter,
  ClosedReason,
  SoftwareSubscription,
  SubscriptionFacets,
  SubscriptionFilter,
  SubscriptionSort,
} from "../../../bindings/sync";
import { TableSkeleton } from "../../../components/DataTable";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { notifyError } from "../../../components/notify";
import { SearchInput } from "../../../components/SearchInput";
import { useAfterPaint } from "../../../components/useAfterPaint";
import { readAll } from "../../../components/useWindows";
import { type WindowedColumn, WindowedTable } from "../../../components/WindowedTable";
import { csvText } from "../../../lib/csvCell";
import { downloadTextFile } from "../../../lib/download";
import { Count, DateCell, exportName, NotSyncedYet } from "./cells";
import { readSubscriptions, SUBSCRIPTION_WINDOW, useSubscriptionFacets, useSubscriptionWindows } from "./queries";
import { UserActivityPanel } from "./UserActivityPanel";

type Subscription = SoftwareSubscription;

const SOURCE_LABELS: Record<ActivitySource, string> = { events: "Events", last_login: "Last login" };
const CLOSED_LABELS: Record<ClosedReason, string> = { removed: "removed", deactivated: "deactivated" };

const title = (status: string | null) => (status ? status.charAt(0) + status.slice(1).toLowerCase() : "");
const internal = (s: Subscription) => (s.isInternal === null ? "" : s.isInternal ? "Internal" : "External");

interface Column extends WindowedColumn<Subscription, SubscriptionSort> {
  /** The value as the CSV has it (dates in ISO 8601, as stored). */
  text: (s: Subscription) => string;
}

/** The list's columns; the user's name opens their activity with `open`. */
const columns = (open: (s: Subscription) => void): Column[] => [
  {
    id: "name",
    header: "User",
    width: 180,
    sort: "user",
    focusable: true,
    cell: (s) => (
      <Anchor
        component="button"
        type="button"
        size="sm"
        c={s.name ? undefined : "dimmed"}
        fs={s.name ? undefined : "italic"}
        maw="100%"
        truncate
        onClick={() => open(s)}
        aria-label={`Activity of ${s.name ?? s.email}`}
        data-testid="open-user"
      >
        {s.name ?? "No name"}
      </Anchor>
    ),
    text: (s) => s.name ?? "",
  },
  { id: "email", header: "Email", width: 240, sort: "email", cell: (s) => s.email, text: (s) => s.email },
  {
    id: "identifier",
    header: "Identifier",
    width: 170,
    sort: "identifier",
    cell: (s) => s.identifier,
    text: (s) => s.identifier,
  },
  {
    id: "modelName",
    header: "Model",
    width: 180,
    sort: "model",
    cell: (s) =>
      s.modelName ?? (
        <Text span size="sm" c="orange">
          Unrecognized
        </Text>
      ),
    text: (s) => s.modelName ?? "",
  },
  { id: "status", header: "Status", width: 120, sort: "status", cell: (s) => title(s.status), text: (s) => title(s.status) },
  { id: "internal", header: "Internal/External", width: 150, sort: "internal", cell: internal, text: internal },
  {
    id: "isAdmin",
    header: "Admin",
    width: 90,
    cell: (s) => (s.isAdmin ? <Badge variant="light">System Admin</Badge> : null),
    text: (s) => (s.isAdmin === null ? "" : s.isAdmin ? "Yes" : "No"),
  },
  {
    id: "seatChangedAt",
    header: "Seat changed",
    width: 150,
    cell: (s) => <DateCell value={s.seatChangedAt} />,
    text: (s) => s.seatChangedAt ?? "",
  },
  {
    id: "provisionalExpiresAt",
    header: "Provisional until",
    width: 150,
    cell: (s) => <DateCell value={s.provisionalExpiresAt} />,
    text: (s) => s.provisionalExpiresAt ?? "",
  },
  {
    id: "lastLogin",
    header: "Last login",
    width: 150,
    sort: "lastLogin",
    cell: (s) => <DateCell value={s.lastLogin} />,
    text: (s) => s.lastLogin ?? "",
  },
  {
    id: "lastActivityAt",
    header: "Last activity",
    width: 150,
    sort: "lastActivity",
    cell: (s) => <DateCell value={s.lastActivityAt} />,
    text: (s) => s.lastActivityAt ?? "",
  },
  {
    id: "activitySource",
    header: "Activity source",
    width: 130,
    sort: "activitySource",
    cell: (s) => (s.activitySource ? SOURCE_LABELS[s.activitySource] : "—"),
    text: (s) => (s.activitySource ? SOURCE_LABELS[s.activitySource] : ""),
  },
  {
    id: "inactiveDays",
    header: "Inactive days",
    width: 120,
    align: "right",
    // Computed by the core from each row as it is read (the removal candidates' definition): not sortable.
    cell: (s) => <Count value={s.inactiveDays} />,
    text: (s) => (s.inactiveDays === null ? "" : String(s.inactiveDays)),
  },
  {
    id: "firstSeen",
    header: "First seen",
    width: 150,
    sort: "firstSeen",
    cell: (s) => <DateCell value={s.firstSeen} />,
    text: (s) => s.firstSeen,
  },
  {
    id: "lastSeen",
    header: "Last seen",
    width: 150,
    sort: "lastSeen",
    cell: (s) => <DateCell value={s.lastSeen} />,
    text: (s) => s.lastSeen,
  },
  {
    id: "closedAt",
    header: "Closed",
    width: 170,
    sort: "closed",
    cell: (s) => (
      <>
        <DateCell value={s.closedAt} />
        {s.closedReason && (
          <Text span size="xs" c="dimmed">
            {" "}
            ({CLOSED_LABELS[s.closedReason]})
          </Text>
        )}
      </>
    ),
    text: (s) => s.closedAt ?? "",
  },
  {
    id: "excluded",
    header: "Excluded",
    width: 110,
    sort: "excluded",
    // Its badge takes the focus, for the rule's name.
    focusable: true,
    cell: (s) =>
      s.excluded ? (
        <Tooltip label={s.excludedBy ?? "An exclusion rule"} withArrow>
          <Badge variant="light" color="grape" tabIndex={0} data-testid="excluded-badge">
            Excluded
          </Badge>
        </Tooltip>
      ) : null,
    text: (s) => (s.excluded ? "Yes" : "No"),
  },
];

const SOURCE_OPTIONS: { value: ActivitySourceFilter; label: string }[] = [
  { value: "events", label: "Events" },
  { value: "last_login", label: "Last login" },
  { value: "none", label: "None" },
];
const INTERNAL_OPTIONS = [
  { value: "true", label: "Internal" },
  { value: "false", label: "External" },
];
const YES_NO = [
  { value: "true", label: "Yes" },
  { value: "false", label: "No" },
];

const countFormat = new Intl.NumberFormat("en-US");
const rowsText = (n: number) => `${countFormat.format(n)} ${n === 1 ? "row" : "rows"}`;
const bool = (value: string | null) => (value === null ? null : value === "true");
const boolValue = (value: boolean | null) => (value === null ? null : String(value));

/** The filters the toolbar sets, before the search is debounced. */
type Filters = Omit<SubscriptionFilter, "search">;
const NO_FILTERS: Filters = { identifier: null, status: null, internal: null, activitySource: null, excluded: null };

/**
 * The profile's Software Subscriptions, read from the core in windows as the list scrolls: search,
 * filters and sort are the core's, the filters' options come from `subscription_facets`, and Export
 * CSV reads every window of the list as filtered and sorted. A user's name opens a side panel with
 * their activity.
 */
export function SubscriptionsTable({ profile }: { profile: Profile }) {
  const [searchText, setSearchText] = useState("");
  const [search] = useDebouncedValue(searchText.trim(), 300);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sort, setSort] = useState<SubscriptionSort>("email");
  const [descending, setDescending] = useState(false);
  const [exporting, setExporting] = useState(false);
  // The user whose activity the side panel shows.
  const [opened, setOpened] = useState<Subscription | null>(null);
  const COLUMNS = useMemo(() => columns(setOpened), []);

  const filter: SubscriptionFilter = useMemo(() => ({ ...filters, search }), [filters, search]);
  const filtered = search !== "" || Object.values(filters).some((v) => v !== null);
  const windows = useSubscriptionWindows(profile.id, filter, sort, descending);
  // The filters' options wait for the first rows: the first window's query has the database first.
  const facets = useSubscriptionFacets(profile.id, windows.total !== undefined);
  // The toolbar is rendered again only when what it shows changes, not with each window of rows
  // read as the list scrolls: its callbacks stay the same functions.
  const setFilter = useCallback(
    <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value })),
    [],
  );
  const exportRef = useRef<() => Promise<void>>(async () => {});
  const exportLatest = useCallback(() => void exportRef.current(), []);

  if (windows.isPending) return <TableSkeleton label="Software Subscriptions" />;
  if (windows.total === undefined) {
    return (
      <ErrorAlert title="Could not load the Software Subscriptions" error={windows.error} onRetry={windows.refetch} />
    );
  }
  // Nothing downloaded yet (not: nothing matches).
  if (windows.total === 0 && !filtered && !windows.isStale) {
    return <NotSyncedYet list="Software Subscriptions" profile={profile} />;
  }
  const total = windows.total;

  const onSort = (next: SubscriptionSort) => {
    if (next === sort) setDescending(!descending);
    else {
      setSort(next);
      setDescending(false);
    }
  };
  const clearAll = () => {
    setSearchText("");
    setFilters(NO_FILTERS);
  };

  exportRef.current = async () => {
    setExporting(true);
    try {
      const rows = await readAll(
        (offset, limit) => readSubscriptions(profile.id, { filter, sort, descending, offset, limit }),
        SUBSCRIPTION_WINDOW.export,
      );
      downloadTextFile(
        `${exportName(profile, "Software Subscriptions")}.csv`,
        csvText(
          COLUMNS.map((c) => c.header),
          rows.map((row) => COLUMNS.map((c) => c.text(row))),
        ),
      );
    } catch (error) {
      notifyError("Could not export the Software Subscriptions", error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="xs" data-testid="subscriptions-table">
      <Toolbar
        searchText={searchText}
        onSearchText={setSearchText}
        filters={filters}
        onFilter={setFilter}
        facets={facets.data}
        total={total}
        filtered={filtered}
        exporting={exporting}
        onExport={exportLatest}
      />
      <Drawer
        opened={opened !== null}
        onClose={() => setOpened(null)}
        position="right"
        size="lg"
        title={opened?.name ?? opened?.email}
        data-testid="user-activity-drawer"
      >
        {opened && <UserActivityPanel profileId={profile.id} subscriptionId={opened.id} />}
      </Drawer>
      <WindowedTable<Subscription, SubscriptionSort>
        label="Software Subscriptions"
        windows={windows}
        total={total}
        columns={COLUMNS}
        getRowId={(s) => s.id}
        sort={sort}
        descending={descending}
        onSort={onSort}
        resetKey={JSON.stringify([filter, sort, descending])}
        noMatch={
          <Group gap="sm" justify="center" py="md" data-testid="table-no-match">
            <Text size="sm" c="dimmed">
              No rows match the search and filters.
            </Text>
            <Button size="xs" variant="subtle" onClick={clearAll}>
              Clear search and filters
            </Button>
          </Group>
        }
      />
    </Stack>
  );
}

interface ToolbarProps {
  searchText: string;
  onSearchText: (text: string) => void;
  filters: Filters;
  onFilter: <K extends keyof Filters>(key: K, value: Filters[K]) => void;
  facets: SubscriptionFacets | undefined;
  /** How many rows match. */
  total: number;
  filtered: boolean;
  exporting: boolean;
  onExport: () => void;
}

/** Search, the filters, the row count and Export CSV. */
const Toolbar = memo(function Toolbar({
  searchText,
  onSearchText,
  filters,
  onFilter,
  facets,
  total,
  filtered,
  exporting,
  onExport,
}: ToolbarProps) {
  // The filters' selects, the toolbar's heaviest part, come in the frame after the list's first
  // rows; until then a placeholder of their size holds each one's place.
  const selects = useAfterPaint();
  const select = (label: string, data: { value: string; label: string }[] | string[], value: string | null, onChange: (v: string | null) => void): ReactNode =>
    !selects ? (
      <Skeleton key={label} h={36} w={180} radius="sm" animate={false} data-testid="filter-loading" />
    ) : (
      <Select
        key={label}
        aria-label={label}
        placeholder={`${label}: all`}
        data={data}
        value={value}
        onChange={onChange}
        clearable
        searchable
        w={180}
      />
    );

  return (
    <Group gap="xs" align="flex-end" wrap="wrap">
      <SearchInput
        aria-label="Search"
        placeholder="Search name or email"
        value={searchText}
        onChange={onSearchText}
        w={260}
      />
      {select("Identifier", facets?.identifiers ?? [], filters.identifier, (v) => onFilter("identifier", v))}
      {select(
        "Status",
        (facets?.statuses ?? []).map((s) => ({ value: s, label: title(s) })),
        filters.status,
        (v) => onFilter("status", v),
      )}
      {select("Internal/External", INTERNAL_OPTIONS, boolValue(filters.internal), (v) => onFilter("internal", bool(v)))}
      {select("Activity source", SOURCE_OPTIONS, filters.activitySource, (v) =>
        onFilter("activitySource", v as ActivitySourceFilter | null),
      )}
      {select("Excluded", YES_NO, boolValue(filters.excluded), (v) => onFilter("excluded", bool(v)))}
      <Text size="sm" c="dimmed" ml="auto" aria-live="polite" data-testid="row-count">
        {filtered && facets
          ? `${countFormat.format(total)} of ${rowsText(facets.total)}`
          : rowsText(total)}
      </Text>
      <Button
        variant="default"
        leftSection={<IconDownload size={16} aria-hidden />}
        onClick={onExport}
        loading={exporting}
        disabled={total === 0}
      >
        Export CSV
      </Button>
    </Group>
  );
});
