import { Button, Group, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconChartBarOff, IconRefresh } from "@tabler/icons-react";
import { lazy, memo, Suspense, useDeferredValue, useMemo } from "react";

import type { Profile } from "../../bindings/profiles";
import type { LicenseUsage } from "../../bindings/reconcile";
import { EmptyState } from "../../components/EmptyState";
import { ErrorAlert } from "../../components/ErrorAlert";
import { notifyError, notifySuccess } from "../../components/notify";
import { formatDateTime } from "../../lib/dates";
import { FinanceSummary } from "./FinanceSummary";
import { ComplianceBanner, HeadlineFigures } from "./HeadlineFigures";
import { ModelsTable } from "./ModelsTable";
import { useLicenseUsage, useReconcileNow } from "./queries";
import type { ChartedUsage } from "./UsageCharts";
import { reconciledText, TRIGGER_LABELS } from "./usageData";

/**
 * The License Usage view of a profile: headline figures, compliance, the reconciliation per model
 * with where to act, the charts, Reconcile now and the exports. Everything comes from one read of
 * the core (`license_usage`).
 */
export function LicenseUsageView({ profile }: { profile: Profile }) {
  const usage = useLicenseUsage(profile.id);
  if (usage.isPending) return <Skeleton h={320} data-testid="usage-loading" />;
  if (usage.isError) {
    return <ErrorAlert title="Could not load the License Usage" error={usage.error} onRetry={() => void usage.refetch()} />;
  }
  if (!usage.data.hasData) {
    return (
      <EmptyState icon={<IconChartBarOff size={26} />} title="No license usage yet" data-testid="usage-empty">
        License usage is available after the first refresh of {profile.displayName} Subscriptions.{" "}
        {profile.status === "Draft"
          ? "Validate the connection and publish the profile to schedule it."
          : "It runs daily; Run now on Scheduled Jobs starts one at once."}
      </EmptyState>
    );
  }
  return <LoadedView profile={profile} usage={usage.data} />;
}

// The charts (recharts, most of the UI's weight) load with the first usage shown.
const UsageCharts = lazy(() => import("./UsageCharts").then((m) => ({ default: m.UsageCharts })));

/**
 * Drawn again only when what they draw changes, not when the page around it renders nor when the
 * usage is read again with the same figures (each reading is newer, and the query keeps the
 * unchanged parts as they were): drawing four charts is a long task on WebKitGTK's main thread,
 * and a profile's page reads its usage again each time it opens. A changed reading (after a job's
 * end) is drawn in React's background, where whatever the admin opens meanwhile (a related list,
 * just after a refresh) interrupts it. The first reading is drawn at once.
 */
const Charts = memo(function Charts({ models, lastActivity, dailyActive, history }: ChartedUsage) {
  const charted = useMemo(
    () => ({ models, lastActivity, dailyActive, history }),
    [models, lastActivity, dailyActive, history],
  );
  const drawn = useDeferredValue(charted);
  return (
    <Suspense fallback={<Skeleton h={320} animate={false} data-testid="charts-loading" />}>
      <UsageCharts usage={drawn} />
    </Suspense>
  );
});

function LoadedView({ profile, usage }: { profile: Profile; usage: LicenseUsage }) {
  const reconcile = useReconcileNow(profile.id);
  const last = usage.history.at(-1);

  return (
    <Stack gap="md" data-testid="license-usage">
      <Group justify="space-between" align="flex-end" gap="sm">
        <Text size="sm" c="dimmed" data-testid="usage-as-of">
          Figures as of {formatDateTime(usage.computedAt)}
          {last
            ? ` · last reconciliation ${formatDateTime(last.runAt)} (${TRIGGER_LABELS[last.trigger]})`
            : " · no reconciliation kept yet"}
        </Text>
        <Group gap="sm">
          <FinanceSummary profile={profile} usage={usage} />
          <Button
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            loading={reconcile.isPending}
            onClick={() =>
              reconcile.mutate(undefined, {
                onSuccess: (run) => notifySuccess("Reconciliation done", reconciledText(run)),
                onError: (error) => notifyError("Could not reconcile", error),
              })
            }
          >
            Reconcile now
          </Button>
        </Group>
      </Group>
      <HeadlineFigures totals={usage.totals} />
      <ComplianceBanner models={usage.models} notCompliant={usage.totals.notCompliant} />
      <Stack gap="xs">
        <Title order={3} size="h5">
          By software model
        </Title>
        <ModelsTable profile={profile} models={usage.models} />
      </Stack>
      <Charts
        models={usage.models}
        lastActivity={usage.lastActivity}
        dailyActive={usage.dailyActive}
        history={usage.history}
      />
    </Stack>
  );
}
