import "./financeSummary.css";

import { Button, Group, Text } from "@mantine/core";
import { IconPhoto, IconPrinter } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import dayjs from "dayjs";
import { toPng } from "html-to-image";
import { type Ref, useEffect, useRef } from "react";
import { createPortal } from "react-dom";

import type { Profile } from "../../bindings/profiles";
import type { LicenseUsage } from "../../bindings/reconcile";
import { notifyError, notifySuccess } from "../../components/notify";
import { formatDateTime } from "../../lib/dates";
import { safeFileName } from "../../lib/download";
import * as ipc from "../../lib/ipc";
import { headlineFigures } from "./HeadlineFigures";
import { OwnedUsedChart } from "./UsageCharts";
import { chartedModels, notCompliantTitle, USAGE_FIELDS } from "./usageData";

/** The body's class while the summary is printed: the print stylesheet then prints it alone. */
const PRINTING = "sk-printing-summary";

/** "Acme license summary 2026-12-01.png". */
export function summaryFileName(profile: Profile, day = dayjs().format("YYYY-MM-DD")): string {
  return safeFileName(`${profile.displayName} license summary ${day}.png`);
}

interface SummaryPageProps {
  profile: Profile;
  usage: LicenseUsage;
  ref?: Ref<HTMLDivElement>;
}

/**
 * The one-page Finance summary: the profile, the date, the headline figures, compliance, the
 * per-model table and the owned/used chart. Rendered off screen, outside the app's root (so that
 * printing can hide the app), in light colours whatever the app's colour scheme.
 */
function SummaryPage({ profile, usage, ref }: SummaryPageProps) {
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
      {chartedModels(usage.models).length > 0 && (
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

/**
 * The Finance summary's two actions: Save as PNG… (captured here, saved where the admin chooses
 * through the system's save dialog) and Print / PDF… (the system's print dialog, which also saves
 * PDFs); and the page itself, off screen.
 */
export function FinanceSummary({ profile, usage }: { profile: Profile; usage: LicenseUsage }) {
  const page = useRef<HTMLDivElement>(null);

  const savePng = useMutation({
    mutationFn: async () => {
      const node = page.current;
      if (!node) throw new Error("The summary is not ready yet. Try again in a moment.");
      const dataUrl = await toPng(node, {
        backgroundColor: "#ffffff",
        pixelRatio: 2,
        // Captured where it is laid out, not off screen; system fonts need no embedding.
        style: { position: "static", left: "0", top: "0" },
        skipFonts: true,
      });
      return ipc.saveExport(summaryFileName(profile), dataUrl.replace(/^data:image\/png;base64,/, ""));
    },
    onSuccess: (path) => {
      // Null: the admin cancelled the save dialog; nothing to say.
      if (path !== null) notifySuccess("Summary saved", path);
    },
    onError: (error) => notifyError("Could not save the summary", error),
  });

  // The print stylesheet hides the app only while the summary is printed.
  useEffect(() => {
    const done = () => document.body.classList.remove(PRINTING);
    window.addEventListener("afterprint", done);
    return () => {
      window.removeEventListener("afterprint", done);
      done();
    };
  }, []);
  const print = () => {
    document.body.classList.add(PRINTING);
    window.print();
  };

  return (
    <Group gap="xs" data-testid="finance-summary-actions">
      <Text size="sm" fw={500}>
        Finance summary
      </Text>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconPhoto size={14} aria-hidden />}
        loading={savePng.isPending}
        onClick={() => savePng.mutate()}
      >
        Save as PNG…
      </Button>
      <Button size="xs" variant="default" leftSection={<IconPrinter size={14} aria-hidden />} onClick={print}>
        Print / PDF…
      </Button>
      <SummaryPage profile={profile} usage={usage} ref={page} />
    </Group>
  );
}
