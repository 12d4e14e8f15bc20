import "./rows.css";

import { type FocusEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";

export interface RowNavigationOptions {
  /** How many rows the list has (not only those rendered). */
  count: number;
  /** The list's scroll viewport, where the rows are looked up to be focused. */
  container: HTMLElement | null;
  /** Brings a row into the rendered window: the virtualizer's `scrollToIndex`. */
  scrollToIndex: (index: number) => void;
  /** The first and last rows rendered (the virtualizer's window). */
  firstRendered: number;
  lastRendered: number;
  /** Rows that Page Down and Page Up move by. */
  pageSize?: number;
  /** Enter on a row: its primary action (opens it), where the list has one. */
  onActivate?: (index: number) => void;
  /** Space on a row: selects or clears it, where rows are selectable. */
  onToggle?: (index: number) => void;
}

/** What can take focus inside a row (its cells' buttons, links, checkboxes, fields). */
const CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not(tr)";

/**
 * Only the tab stop row's controls are in the tab order: Tab goes from that row through its
 * controls and then out of the list, not through the controls of every row rendered. A control
 * that was out of the tab order already (tabindex -1) stays out.
 */
function syncRowControls(container: HTMLElement): void {
  for (const row of container.querySelectorAll<HTMLElement>("tr[data-row-index]")) {
    const inTabOrder = row.tabIndex === 0;
    for (const control of row.querySelectorAll<HTMLElement>(CONTROLS)) {
      if (!control.hasAttribute("data-row-control")) {
        if (Number(control.getAttribute("tabindex") ?? "0") < 0) continue;
        control.setAttribute("data-row-control", "");
      }
      control.tabIndex = inTabOrder ? 0 : -1;
    }
  }
}

/** What each row gets from `useRowNavigation`: spread it on the `<tr>`. */
export interface RowNavigationProps {
  tabIndex: 0 | -1;
  "data-row-index": number;
  className: string;
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
  onFocus: (event: FocusEvent<HTMLElement>) => void;
  onBlur: (event: FocusEvent<HTMLElement>) => void;
}

/**
 * Keyboard navigation of a list's rows, with a roving tab stop: one row is in the tab order (the
 * one last focused, else the first in view), ↓ ↑ move to the next or previous row, Page Down and
 * Page Up by a page, Home and End to the first and last, Space selects the row and Enter opens it
 * (where the list has these). A row out of the virtualized window is scrolled into it, then focused.
 * Tab goes on through the tab stop row's controls, then out of the list; keys pressed on a control
 * inside a row are the control's.
 */
export function useRowNavigation({
  count,
  container,
  scrollToIndex,
  firstRendered,
  lastRendered,
  pageSize = 10,
  onActivate,
  onToggle,
}: RowNavigationOptions): (index: number) => RowNavigationProps {
  const [active, setActive] = useState(0);
  // The row to focus once it is rendered (after scrolling it into the window).
  const pending = useRef<number | null>(null);
  // Whether the focus is in the list's rows. A focused row that leaves the DOM (scrolled out of the
  // window, or a placeholder replaced by its row once read) takes the focus with it, without a
  // blur: the focus then goes back to the tab stop row as soon as it is rendered.
  const focusWithin = useRef(false);
  const activeRef = useRef(0);
  const latest = useRef({ count, scrollToIndex, pageSize, onActivate, onToggle });
  latest.current = { count, scrollToIndex, pageSize, onActivate, onToggle };
  // The handlers every row gets read the container through a ref: they stay the same functions
  // when it is set after the first render, so that the list's memoized rows are not all rendered
  // again for it.
  const containerRef = useRef(container);
  containerRef.current = container;

  const focusPending = useCallback(() => {
    const container = containerRef.current;
    if (!container) return;
    const focused = document.activeElement;
    if (focused && focused !== document.body && !container.contains(focused)) {
      // The focus is elsewhere now (a dialog, a field): the list no longer takes it.
      focusWithin.current = false;
      pending.current = null;
      return;
    }
    const lost = focusWithin.current && !container.contains(focused);
    const index = pending.current ?? (lost ? activeRef.current : null);
    if (index === null) return;
    const row = container.querySelector<HTMLElement>(`tr[data-row-index="${index}"]`);
    if (row) {
      // A row moved to is scrolled into view; one that only comes back into the window (the user
      // scrolling back to it) is not, or the list would jump under the user's wheel.
      row.focus(pending.current === null ? { preventScroll: true } : undefined);
      pending.current = null;
    }
  }, []);
  // After every render: the row asked for may just have come into the window, and the tab stop
  // may have moved.
  useEffect(() => {
    focusPending();
    if (container) syncRowControls(container);
  });
  // Rows scrolled into the window, and cells that render new controls (Run now → Cancel).
  useEffect(() => {
    if (!container) return;
    const observer = new MutationObserver(() => {
      syncRowControls(container);
      focusPending();
    });
    observer.observe(container, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [container, focusPending]);

  const onKeyDown = useCallback((event: KeyboardEvent<HTMLElement>) => {
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey) return;
    const { count, scrollToIndex, pageSize, onActivate, onToggle } = latest.current;
    const index = Number(event.currentTarget.dataset.rowIndex);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + pageSize,
      PageUp: index - pageSize,
      Home: 0,
      End: count - 1,
    };
    const to = moves[event.key];
    if (to !== undefined) {
      event.preventDefault();
      const target = Math.max(0, Math.min(count - 1, to));
      setActive(target);
      activeRef.current = target;
      pending.current = target;
      scrollToIndex(target);
      focusPending();
    } else if (event.key === " " && onToggle) {
      event.preventDefault();
      onToggle(index);
    } else if (event.key === "Enter" && onActivate) {
      event.preventDefault();
      onActivate(index);
    }
  }, [focusPending]);

  // A row focused in any way (Tab, a click, a control inside it) becomes the list's tab stop.
  const onFocus = useCallback((event: FocusEvent<HTMLElement>) => {
    const index = Number(event.currentTarget.dataset.rowIndex);
    focusWithin.current = true;
    activeRef.current = index;
    setActive(index);
  }, []);
  // A blur to elsewhere (Tab out, a click outside, another window) ends it; a removed row has none.
  const onBlur = useCallback((event: FocusEvent<HTMLElement>) => {
    const to = event.relatedTarget;
    if (!(to instanceof Node && containerRef.current?.contains(to))) focusWithin.current = false;
  }, []);

  const current = Math.max(0, Math.min(active, count - 1));
  const tabStop = current >= firstRendered && current <= lastRendered ? current : firstRendered;
  return (index) => ({
    tabIndex: index === tabStop ? 0 : -1,
    "data-row-index": index,
    className: "sk-nav-row",
    onKeyDown,
    onFocus,
    onBlur,
  });
}
