import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { memoryLocation } from "wouter/memory-location";

import { AppProviders } from "../app/AppProviders";
import { createQueryClient } from "../app/queryClient";

/** Renders with the app's providers, a fresh query cache and an in-memory location. */
export function renderWithProviders(ui: ReactElement, { path = "/" }: { path?: string } = {}) {
  const location = memoryLocation({ path, record: true });
  const queryClient = createQueryClient();
  const user = userEvent.setup();
  const result = render(
    <AppProviders queryClient={queryClient} locationHook={location.hook} env="test">
      {ui}
    </AppProviders>,
  );
  return { ...result, user, location, queryClient };
}
