// Opening links outside the app, through Tauri's opener plugin. Like ipc.ts, the only place that
// touches it. The capability lets the page open `mailto:` URLs and nothing else (no web pages, no
// files, no other program), so a link the page should not open is refused by the shell as well.
import { invoke } from "@tauri-apps/api/core";

import { IpcError } from "./ipc";

/**
 * A `mailto:` URL for one recipient, with a subject and a body. The address keeps its `@`; every
 * other special character, in the address as well, is percent-encoded (RFC 6068).
 */
export function mailtoUrl(to: string, subject: string, body: string): string {
  const address = encodeURIComponent(to.trim()).replace(/%40/g, "@");
  // RFC 6068 asks for CRLF line breaks in the body.
  const text = body.replace(/\r?\n/g, "\r\n");
  return `mailto:${address}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(text)}`;
}

/** Opens a `mailto:` link in the computer's mail program (a new message, not sent). */
export async function openMailto(url: string): Promise<void> {
  if (!url.startsWith("mailto:")) {
    throw new IpcError({ code: "Internal", message: "Only mailto: links can be opened from Seatkeeper.", field: null });
  }
  try {
    await invoke("plugin:opener|open_url", { url });
  } catch (reason) {
    throw IpcError.from(reason);
  }
}
