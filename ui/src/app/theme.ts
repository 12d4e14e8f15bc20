import { createTheme, Modal, Notification } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "indigo",
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  headings: { fontWeight: "600" },
  // Keyboard focus is always visible: Mantine's ring on :focus-visible (Mantine's default, said
  // here so that it stays; keyboard.test.tsx checks it).
  focusRing: "auto",
  components: {
    // Mantine's close buttons are an icon only: without a name, a screen reader says "button".
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close dialog" } } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close notification" } } }),
  },
});
