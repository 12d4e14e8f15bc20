import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../../app/App";
import type { LicenseUsage } from "../../bindings/reconcile";
import { emitBackendEvent, mockBackend } from "../../lib/mockBackend";
import { quietZeroSizeCharts } from "../../test/charts";
import { jobResult, licenseUsage, profile, reconciliation, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

// How often the charts are drawn: the real charts, counted.
const drawn = vi.hoisted(() => ({ count: 0 }));
vi.mock("./UsageCharts", async (original) => {
  const real = await original<typeof import("./UsageCharts")>();
  return {
    ...real,
    UsageCharts: (props: Parameters<typeof real.UsageCharts>[0]) => {
      drawn.count += 1;
      return <real.UsageCharts {...props} />;
    },
  };
});

// happy-dom lays nothing out: recharts measures 0×0 and says so.
beforeEach(quietZeroSizeCharts);

const ACME = profile({ status: "Published", lastValidation: validation(), lastSyncAt: "2026-12-01T02:05:00Z" });

describe("the License Usage charts", () => {
  it("are drawn again when their figures change, not when the same figures are read again", async () => {
    // Each reading is newer; the figures change only when `next` does.
    let readings = 0;
    let next: Partial<LicenseUsage> = {};
    mockBackend({
      list_profiles: () => [ACME],
      license_usage: () => {
        readings += 1;
        return licenseUsage({ computedAt: `2026-12-01T${String(8 + readings).padStart(2, "0")}:00:00Z`, ...next });
      },
    });
    renderWithProviders(<App />, { path: "/usage" });
    await screen.findByTestId("usage-charts");
    const asOf = () => screen.getByTestId("usage-as-of").textContent;
    const first = asOf();
    const drawnFirst = drawn.count;
    expect(drawnFirst).toBeGreaterThan(0);

    // A job ends: the usage is read again, newer and with the same figures.
    await emitBackendEvent("job-finished", { jobId: 1, profileId: 1, result: jobResult() });
    await waitFor(() => expect(asOf()).not.toBe(first));
    expect(drawn.count).toBe(drawnFirst);

    // A reconciliation more: the charts over time change.
    next = { history: [...licenseUsage().history, reconciliation({ runId: 9, trigger: "onDemand" })] };
    const second = asOf();
    await emitBackendEvent("job-finished", { jobId: 1, profileId: 1, result: jobResult() });
    await waitFor(() => expect(asOf()).not.toBe(second));
    await waitFor(() => expect(drawn.count).toBeGreaterThan(drawnFirst));
  });
});
