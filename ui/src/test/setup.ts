import "@testing-library/jest-dom/vitest";

import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

import { clearBackendMocks } from "../lib/mockBackend";

// Mantine reads the color scheme and element sizes through these; happy-dom lacks or stubs them.
Object.defineProperty(window, "matchMedia", {
  writable: true,
  configurable: true,
  value: (query: string): MediaQueryList => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }),
});

// findBy*/waitFor give up after this long: what never shows still fails, but a busy 2-core CI
// (Testing Library's default is 1 s) does not fail what shows a moment late.
configure({ asyncUtilTimeout: 5_000 });

class ResizeObserverStub implements ResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
window.ResizeObserver = ResizeObserverStub;

// A browser fires "scroll" when a script scrolls an element (TanStack Virtual's scrollToIndex does,
// and reads the new offset from that event); happy-dom only sets scrollTop. Fire it, as browsers
// do, once the script's turn is over.
const scrollElementTo = Element.prototype.scrollTo;
Element.prototype.scrollTo = function (this: Element, ...args: Parameters<Element["scrollTo"]>) {
  const before = [this.scrollTop, this.scrollLeft];
  scrollElementTo.apply(this, args);
  if (this.scrollTop !== before[0] || this.scrollLeft !== before[1]) {
    setTimeout(() => this.dispatchEvent(new Event("scroll")), 0);
  }
} as Element["scrollTo"];

afterEach(() => {
  // Mantine keeps notifications and modals in module-level stores that outlive a render.
  notifications.clean();
  modals.closeAll();
  cleanup();
  clearBackendMocks();
});
