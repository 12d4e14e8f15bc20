import axe from "axe-core";
import { expect } from "vitest";

/**
 * Rules that cannot work here: happy-dom lays nothing out (every box is 0×0 at 0,0), so what
 * needs geometry either errors or answers nonsense.
 * - color-contrast: reads the colours behind the text from the elements painted under it
 *   (`elementsFromPoint`) and the text's size; the theme's colours are Mantine's, checked there.
 * - target-size: measures each control's box and the space around it.
 * - scrollable-region-focusable: decides what scrolls from scrollHeight > clientHeight, both 0 here.
 */
const NEEDS_LAYOUT = ["color-contrast", "target-size", "scrollable-region-focusable"] as const;

/** One line per violation: the rule, what it asks for and where (the nodes' selectors and HTML). */
export function axeReport(violations: readonly axe.Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${n.html.slice(0, 300)}`).join("\n");
      return `${v.id} (${v.impact ?? "?"}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join("\n\n");
}

/**
 * Runs axe-core (WCAG 2.x A and AA, and its best practices) on what `container` holds, and on the
 * dialogs and popovers Mantine renders in portals under `document.body` when `container` is the
 * body; fails with each violation, its help and the nodes it found.
 */
export async function expectNoAxeViolations(container: Element = document.body): Promise<void> {
  const results = await axe.run(container, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    rules: Object.fromEntries(NEEDS_LAYOUT.map((id) => [id, { enabled: false }])),
    resultTypes: ["violations"],
  });
  const { violations } = results;
  if (violations.length > 0) expect.fail(`axe-core: ${violations.length} violation(s)\n\n${axeReport(violations)}`);
}
