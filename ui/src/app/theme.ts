import { Combobox, createTheme, Modal, Notification } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "indigo",
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  headings: { fontWeight: "600" },
  // Keyboard focus is always visible: Mantine's ring on :focus-visible (Mantine's default, said
  // here so that it stays; keyboard.test.tsx checks it).
  focusRing: "auto",
  components: {
    // A select's options are put in the document when it opens, not with every select on a
    // screen: kept mounted, each list's dropdown and its scroll area cost a style and layout pass
    // of their own whenever a list with filters appears.
    Combobox: Combobox.extend({ defaultProps: { keepMounted: false } }),
    // Mantine's close buttons are an icon only: without a name, a screen reader says "button".
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close dialog" } } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close notification" } } }),
  },
});
