import { Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { useDebouncedValue } from "@mantine/hooks";
import { IconDownload, IconFilterOff, IconHistory } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useMemo, useState } from "react";

import type { Profile } from "../../../bindings/profiles";
import type { AuditFilter, AuditRecord, SeatAction } from "../../../bindings/reclaim";
import { EmptyState } from "../../../components/EmptyState";
import { notifyError, notifySuccess } from "../../../components/notify";
import { SearchInput } from "../../../components/SearchInput";
import { downloadTextFile } from "../../../lib/download";
import { useProfiles } from "../../profiles/queries";
import { countFormat, SEAT_ACTION_LABELS, SEAT_ACTIONS } from "../format";
import { auditCsv, readAllAudit } from "./auditCsv";
import { AuditTable } from "./AuditTable";
import { UndoDialog, useUndoAudit } from "./UndoDialog";
import { useAuditWindows } from "./useAuditWindows";

/** Said wherever the log is shown. */
export const NEVER_EDITED =
  "Every write Seatkeeper makes to Smartsheet is recorded here before it is sent, with its outcome after. Records are " +
  "never edited or deleted; they go only with their profile, when the profile is deleted.";

/** A day typed as YYYY-MM-DD → the start of that day on this computer's clock (RFC 3339), or null. */
function dayStart(day: string, plusDays = 0): string | null {
  const parsed = dayjs(day, "YYYY-MM-DD");
  return day !== "" && parsed.isValid() ? parsed.startOf("day").add(plusDays, "day").toISOString() : null;
}

/** The file name of the export. */
function exportFileName(profile: Profile | undefined): string {
  const date = dayjs().format("YYYY-MM-DD");
  return profile ? `${profile.displayName} - Audit Log ${date}.csv` : `Audit Log ${date}.csv`;
}

interface AuditLogProps {
  /** The profile's related list: only its records, without the Profile column. */
  profile?: Profile;
}

/**
 * The Audit Log: every write to Smartsheet, newest first, filtered by the core and read in windows;
 * CSV export of the filtered log; Undo from a row.
 */
export function AuditLog({ profile }: AuditLogProps) {
  const profiles = useProfiles();
  const allProfiles = profiles.data ?? (profile ? [profile] : []);
  const [profileFilter, setProfileFilter] = useState<number | null>(null);
  const [action, setAction] = useState<SeatAction | null>(null);
  const [searchText, setSearchText] = useState("");
  const [search] = useDebouncedValue(searchText.trim(), 300);
  const [fromDay, setFromDay] = useState("");
  const [toDay, setToDay] = useState("");

  const from = dayStart(fromDay);
  // The core's `to` is exclusive: the day after the last day asked for.
  const to = dayStart(toDay, 1);
  const rangeError = from !== null && to !== null && to <= from ? "The end date is before the start date." : null;

  const profileId = profile?.id ?? profileFilter;
  const filter: AuditFilter = useMemo(
    () => ({ profileId, action, search, from: rangeError ? null : from, to: rangeError ? null : to }),
    [profileId, action, search, from, to, rangeError],
  );
  const filterKey = JSON.stringify(filter);
  const narrowed = action !== null || searchText !== "" || fromDay !== "" || toDay !== "" || (!profile && profileFilter !== null);
  const resetFilters = () => {
    setAction(null);
    setSearchText("");
    setFromDay("");
    setToDay("");
    setProfileFilter(null);
  };

  const windows = useAuditWindows(filter);
  const [undoing, setUndoing] = useState<AuditRecord | null>(null);
  const undo = useUndoAudit();
  const openUndo = (record: AuditRecord) => {
    undo.reset();
    setUndoing(record);
  };
  // While Smartsheet is asked, the dialog stays: its outcome is what the admin waits for.
  const closeUndo = () => {
    if (!undo.isPending) setUndoing(null);
  };

  const exportCsv = useMutation({
    mutationFn: () => readAllAudit(filter),
    onSuccess: (rows) => {
      downloadTextFile(exportFileName(profile), auditCsv(rows));
      notifySuccess("Audit Log exported", `${countFormat.format(rows.length)} ${rows.length === 1 ? "record" : "records"}.`);
    },
    onError: (error) => notifyError("Could not export the Audit Log", error),
  });

  return (
    <Stack gap="sm" data-testid="audit-log">
      <Group gap="xs" align="flex-end" wrap="wrap" data-testid="audit-filters">
        {profile === undefined && (
          <Select
            label="Profile"
            placeholder="All profiles"
            data={allProfiles.map((p) => ({ value: String(p.id), label: p.displayName }))}
            value={profileFilter === null ? null : String(profileFilter)}
            onChange={(value) => setProfileFilter(value === null ? null : Number(value))}
            clearable
            w={170}
          />
        )}
        <Select
          label="Action"
          placeholder="All actions"
          data={SEAT_ACTIONS.map((a) => ({ value: a, label: SEAT_ACTION_LABELS[a] }))}
          value={action}
          onChange={(value) => setAction(value as SeatAction | null)}
          clearable
          w={180}
        />
        <SearchInput
          label="Search"
          placeholder="User, e-mail or confirmed by"
          value={searchText}
          onChange={setSearchText}
          w={220}
        />
        <DateInput
          label="From"
          placeholder="Any day"
          valueFormat="YYYY-MM-DD"
          value={fromDay === "" ? null : fromDay}
          onChange={(value) => setFromDay(value ?? "")}
          clearable
          clearButtonProps={{ "aria-label": "Clear From" }}
          w={150}
        />
        <DateInput
          label="To"
          placeholder="Any day"
          valueFormat="YYYY-MM-DD"
          value={toDay === "" ? null : toDay}
          onChange={(value) => setToDay(value ?? "")}
          error={rangeError}
          clearable
          clearButtonProps={{ "aria-label": "Clear To" }}
          w={150}
        />
        {narrowed && (
          <Button variant="subtle" size="xs" onClick={resetFilters} leftSection={<IconFilterOff size={14} aria-hidden />}>
            Reset filters
          </Button>
        )}
      </Group>
      <Group gap="xs" justify="space-between" wrap="nowrap" align="center">
        <Text size="sm" c="dimmed" maw={760} data-testid="audit-never-edited">
          {NEVER_EDITED}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="audit-count" style={{ whiteSpace: "nowrap" }}>
            {windows.total === undefined
              ? ""
              : `${countFormat.format(windows.total)} ${windows.total === 1 ? "record" : "records"}`}
          </Text>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => exportCsv.mutate()}
            loading={exportCsv.isPending}
            disabled={!windows.total}
          >
            Export CSV
          </Button>
        </Group>
      </Group>

      <AuditTable
        windows={windows}
        showProfile={profile === undefined}
        onUndo={openUndo}
        resetKey={filterKey}
        empty={
          narrowed ? (
            <EmptyState
              icon={<IconFilterOff size={26} />}
              title="No records match the filters"
              action={<Button onClick={resetFilters}>Reset filters</Button>}
              data-testid="audit-empty"
            >
              Widen the filters or the dates.
            </EmptyState>
          ) : (
            <EmptyState icon={<IconHistory size={26} />} title="Nothing written to Smartsheet yet" data-testid="audit-empty">
              {profile ? `Seatkeeper has not changed a seat of “${profile.displayName}” yet.` : "Seatkeeper has not changed a seat yet."}{" "}
              Each reclaim and each undo is recorded here, before it is sent and with its outcome.
            </EmptyState>
          )
        }
      />

      <Modal
        opened={undoing !== null}
        onClose={closeUndo}
        title="Undo a change"
        size="lg"
        closeOnClickOutside={!undo.isPending}
        closeOnEscape={!undo.isPending}
        withCloseButton={!undo.isPending}
      >
        {undoing !== null && <UndoDialog record={undoing} undo={undo} onClose={closeUndo} />}
      </Modal>
    </Stack>
  );
}
