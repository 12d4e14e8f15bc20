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

afterEach(() => {
  // Mantine keeps notifications and modals in module-level stores that outlive a render.
  notifications.clean();
  modals.closeAll();
  cleanup();
  clearBackendMocks();
});
