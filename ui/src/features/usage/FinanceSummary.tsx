import "./financeSummary.css";

import { Button, Group, Text } from "@mantine/core";
import { IconPhoto, IconPrinter } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import dayjs from "dayjs";
import { toPng } from "html-to-image";
import { lazy, Suspense, useEffect, useState } from "react";

import type { Profile } from "../../bindings/profiles";
import type { LicenseUsage } from "../../bindings/reconcile";
import { notifyError, notifySuccess } from "../../components/notify";
import { safeFileName } from "../../lib/download";
import * as ipc from "../../lib/ipc";

// The page and its chart (recharts) are loaded when first exported.
const SummaryPage = lazy(() => import("./SummaryPage"));

/** The body's class while the summary is printed: the print stylesheet then prints it alone. */
const PRINTING = "sk-printing-summary";

/** "Acme license summary 2026-12-01.png". */
export function summaryFileName(profile: Profile, day = dayjs().format("YYYY-MM-DD")): string {
  return safeFileName(`${profile.displayName} license summary ${day}.png`);
}

/**
 * The Finance summary's two actions: Save as PNG… (captured here, saved where the admin chooses
 * through the system's save dialog) and Print / PDF… (the system's print dialog, which also saves
 * PDFs). The one-page summary is laid out off screen for each export, and only then.
 */
export function FinanceSummary({ profile, usage }: { profile: Profile; usage: LicenseUsage }) {
  // The summary being exported: the page is rendered while this is set, and `ready` gets it once
  // laid out and drawn.
  const [exporting, setExporting] = useState<{ ready: (page: HTMLDivElement) => void } | null>(null);
  const laidOut = () => new Promise<HTMLDivElement>((ready) => setExporting({ ready }));

  const savePng = useMutation({
    // Saving a file changes nothing the usage is computed from.
    meta: { changesUsage: false },
    mutationFn: async () => {
      const node = await laidOut();
      try {
        const dataUrl = await toPng(node, {
          backgroundColor: "#ffffff",
          pixelRatio: 2,
          // Captured where it is laid out, not off screen; system fonts need no embedding.
          style: { position: "static", left: "0", top: "0" },
          skipFonts: true,
        });
        return await ipc.saveExport(summaryFileName(profile), dataUrl.replace(/^data:image\/png;base64,/, ""));
      } finally {
        setExporting(null);
      }
    },
    onSuccess: (path) => {
      // Null: the admin cancelled the save dialog; nothing to say.
      if (path !== null) notifySuccess("Summary saved", path);
    },
    onError: (error) => notifyError("Could not save the summary", error),
  });

  // The print stylesheet hides the app only while the summary is printed.
  useEffect(() => {
    const done = () => {
      document.body.classList.remove(PRINTING);
      setExporting(null);
    };
    window.addEventListener("afterprint", done);
    return () => {
      window.removeEventListener("afterprint", done);
      document.body.classList.remove(PRINTING);
    };
  }, []);
  const printing = exporting !== null && !savePng.isPending;
  const print = () => {
    void laidOut().then(() => {
      document.body.classList.add(PRINTING);
      window.print();
    });
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
        disabled={printing}
        onClick={() => savePng.mutate()}
      >
        Save as PNG…
      </Button>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconPrinter size={14} aria-hidden />}
        loading={printing}
        disabled={savePng.isPending}
        onClick={print}
      >
        Print / PDF…
      </Button>
      {exporting && (
        <Suspense fallback={null}>
          <SummaryPage profile={profile} usage={usage} onReady={exporting.ready} />
        </Suspense>
      )}
    </Group>
  );
}
