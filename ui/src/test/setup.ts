import "@testing-library/jest-dom/vitest";

import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { cleanup } from "@testing-library/react";
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
