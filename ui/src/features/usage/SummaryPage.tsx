import "./financeSummary.css";

import dayjs from "dayjs";
import { useEffect, useRef } from "react";
import { createPortal } from "react-dom";

import type { Profile } from "../../bindings/profiles";
import type { LicenseUsage } from "../../bindings/reconcile";
import { formatDateTime } from "../../lib/dates";
import { headlineFigures } from "./HeadlineFigures";
import { OwnedUsedChart } from "./UsageCharts";
import { chartedModels, notCompliantTitle, USAGE_FIELDS } from "./usageData";

interface SummaryPageProps {
  profile: Profile;
  usage: LicenseUsage;
  /** Called once the page is laid out and its chart drawn (or after 2 s at most). */
  onReady: (page: HTMLDivElement) => void;
}

/**
 * Resolves once the chart in `node` is drawn (recharts sizes it after a ResizeObserver round), at
 * once where nothing is laid out (a container without width never draws), or after `limitMs`.
 */
async function chartDrawn(node: HTMLElement, limitMs = 2_000): Promise<void> {
  const started = performance.now();
  const drawn = () => {
    const box = node.querySelector<HTMLElement>(".recharts-responsive-container");
    if (box !== null && box.clientWidth === 0) return true;
    const svg = node.querySelector("svg.recharts-surface");
    return svg !== null && svg.getBoundingClientRect().width > 0;
  };
  while (!drawn() && performance.now() - started < limitMs) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/**
 * The one-page Finance summary: the profile, the date, the headline figures, compliance, the
 * per-model table and the owned/used chart. Rendered off screen, outside the app's root (so that
 * printing can hide the app), in light colours whatever the app's colour scheme.
 */
export default function SummaryPage({ profile, usage, onReady }: SummaryPageProps) {
  const ref = useRef<HTMLDivElement>(null);
  const charted = chartedModels(usage.models).length > 0;
  useEffect(() => {
    let live = true;
    const node = ref.current;
    if (!node) return;
    void (charted ? chartDrawn(node) : Promise.resolve()).then(() => {
      if (live) onReady(node);
    });
    return () => {
      live = false;
    };
    // Once, when the page is first laid out: it is rendered for one export at a time.
  }, []);
  const compliant = usage.totals.notCompliant === 0;
  return createPortal(
    <div className="sk-finance-summary" ref={ref} aria-hidden="true" data-testid="finance-summary">
      <h1>{profile.displayName}: license summary</h1>
      <div className="sk-muted">
        Prepared {dayjs().format("YYYY-MM-DD")} · figures as of {formatDateTime(usage.computedAt)} · Smartsheet seats
      </div>
      <div className="sk-compliance" data-compliant={compliant}>
        {compliant ? "Compliant: every software model has at least as many rights as seats in use." : notCompliantTitle(usage.totals.notCompliant)}
      </div>
      <div className="sk-figures">
        {headlineFigures(usage.totals).map((f) => (
          <div className="sk-figure" key={f.label}>
            <div className="sk-figure-label">{f.label}</div>
            <div className="sk-figure-value">{f.value}</div>
            {f.detail && <div className="sk-muted">{f.detail}</div>}
          </div>
        ))}
      </div>
      <h2>By software model</h2>
      <table>
        <thead>
          <tr>
            {USAGE_FIELDS.map((f) => (
              <th key={f.id}>{f.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {usage.models.map((m) => (
            <tr key={m.modelId ?? m.model}>
              {USAGE_FIELDS.map((f) => (
                <td key={f.id}>{f.display(m)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {charted && (
        <>
          <h2>Owned, used and active seats by model</h2>
          <OwnedUsedChart models={usage.models} still h={240} />
        </>
      )}
      <footer>Seatkeeper · per-year amounts are 12 × the monthly cost per seat.</footer>
    </div>,
    document.body,
  );
}
