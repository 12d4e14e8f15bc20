import { vi } from "vitest";

/** Σ of the rows' heights (every list row, spacer and header row has its height in its style). */
function tableHeight(viewport: HTMLElement): number {
  let height = 0;
  for (const row of viewport.querySelectorAll<HTMLElement>("tr")) height += parseFloat(row.style.height) || 0;
  return height;
}

function isListViewport(el: HTMLElement): boolean {
  return el.style.overflow === "auto" && el.firstElementChild?.tagName === "TABLE";
}

/**
 * happy-dom lays nothing out: a list's viewport has no scrollHeight or clientHeight, so TanStack
 * Virtual's scrollToIndex finds nowhere to scroll. This lays the lists' viewports out from their
 * styles (the viewport's height, and the height of each row, spacer and header) until the test ends.
 */
export function layOutListViewports(): void {
  const scrollHeight = Object.getOwnPropertyDescriptor(Element.prototype, "scrollHeight")!.get!;
  const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight")!.get!;
  vi.spyOn(HTMLElement.prototype, "scrollHeight", "get").mockImplementation(function (this: HTMLElement) {
    return isListViewport(this) ? tableHeight(this) : scrollHeight.call(this);
  });
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (this: HTMLElement) {
    return isListViewport(this) ? parseFloat(this.style.height) || 0 : clientHeight.call(this);
  });
}
