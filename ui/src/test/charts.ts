import { vi } from "vitest";

/**
 * happy-dom lays nothing out: recharts' ResponsiveContainer measures 0×0 and warns about it on
 * every drawing. Call in `beforeEach` of a test that draws charts; other warnings still show.
 */
export function quietZeroSizeCharts() {
  const warn = console.warn.bind(console);
  vi.spyOn(console, "warn").mockImplementation((message?: unknown, ...rest: unknown[]) => {
    if (typeof message === "string" && message.includes("of chart should be greater than 0")) return;
    warn(message, ...rest);
  });
}
