import Papa from "papaparse";
import { describe, expect, it } from "vitest";

import { freeModelReconciliation, modelReconciliation, reconciliation, usd } from "../../test/fixtures";
import {
  activityData,
  notCompliantTitle,
  ownedUsedData,
  reconciledText,
  savingsOverTime,
  seatsOverTime,
  usageCsv,
  usageRows,
} from "./usageData";

describe("License Usage data", () => {
  it("builds the per-model CSV rows: counts, ServiceNow's compliance, yearly amounts with their currency", () => {
    const rows = usageRows([modelReconciliation(), freeModelReconciliation()]);
    expect(rows).toEqual([
      ["Smartsheet Member", "Yes", "100", "120", "2", "90", "30", "Not Compliant", "0", "20", "6000.00 USD", "3600.00 USD", "900.00 USD", "12"],
      ["Smartsheet Provisional Member", "No", "0", "15", "0", "5", "10", "Compliant", "0", "0", "", "", "", "0"],
    ]);
  });

  it("writes the CSV with its header, neutralizing a model name that looks like a formula", () => {
    const csv = usageCsv([modelReconciliation({ model: "=cmd|' /C calc'!A0", actualSavings: null })]);
    const [header, row] = Papa.parse<string[]>(csv).data;
    expect(header).toEqual([
      "Software model",
      "Paid",
      "Owned",
      "Used",
      "Excluded",
      "Active",
      "Inactive",
      "Compliance",
      "Over-licensed",
      "Rights needed",
      "True-up cost/yr",
      "Potential savings/yr",
      "Actual savings/yr",
      "Open candidates",
    ]);
    expect(row?.[0]).toBe("'=cmd|' /C calc'!A0");
    expect(row?.[12]).toBe("");
  });

  it("says compliance and a reconciliation in words", () => {
    expect(notCompliantTitle(1)).toBe("Not Compliant: 1 model uses more seats than owned");
    expect(notCompliantTitle(3)).toBe("Not Compliant: 3 models use more seats than owned");
    expect(reconciledText(reconciliation())).toBe("Reconciled: 2 models, 1 Not Compliant");
  });

  it("charts the paid models (and any with entitlements), and nothing for users when there are none", () => {
    expect(ownedUsedData([modelReconciliation(), freeModelReconciliation()])).toEqual([
      { model: "Smartsheet Member", Owned: 100, Used: 120, Active: 90 },
    ]);
    expect(ownedUsedData([freeModelReconciliation({ entitlements: 1, owned: 20 })])).toEqual([
      { model: "Smartsheet Provisional Member", Owned: 20, Used: 15, Active: 5 },
    ]);
    expect(activityData([{ label: "Never", fromDays: null, toDays: null, users: 0 }])).toEqual([]);
  });

  it("charts seats by model over time: used and excluded seats of each run", () => {
    const { series, data } = seatsOverTime([
      reconciliation({ runId: 1, runAt: "2026-11-01T12:00:00Z", models: [modelReconciliation({ used: 100, excluded: 2 })] }),
      reconciliation({
        runId: 2,
        runAt: "2026-11-08T12:00:00Z",
        models: [modelReconciliation({ used: 110, excluded: 1 }), freeModelReconciliation({ used: 15 })],
      }),
    ]);
    expect(series).toEqual(["Smartsheet Member", "Smartsheet Provisional Member"]);
    expect(data).toEqual([
      { date: "2026-11-01", "Smartsheet Member": 102 },
      { date: "2026-11-08", "Smartsheet Member": 111, "Smartsheet Provisional Member": 15 },
    ]);
  });

  it("charts savings over time in the first currency, in major units, leaving other currencies out", () => {
    const eur = { currency: "EUR", minor: 99_900, exponent: 2 };
    const result = savingsOverTime([
      reconciliation({ runAt: "2026-11-01T12:00:00Z", models: [freeModelReconciliation()] }),
      reconciliation({
        runAt: "2026-11-08T12:00:00Z",
        models: [
          modelReconciliation({ potentialSavings: usd(360_000), actualSavings: usd(90_000) }),
          modelReconciliation({ modelId: 3, model: "EU", potentialSavings: eur, actualSavings: null }),
          modelReconciliation({ modelId: 4, model: "Other", potentialSavings: usd(1_050), actualSavings: usd(0) }),
        ],
      }),
    ]);
    expect(result).toEqual({
      currency: "USD",
      data: [
        { date: "2026-11-01", Potential: 0, Actual: 0 },
        { date: "2026-11-08", Potential: 3610.5, Actual: 900 },
      ],
    });
    expect(savingsOverTime([reconciliation({ models: [freeModelReconciliation()] })]).currency).toBeNull();
  });
});
