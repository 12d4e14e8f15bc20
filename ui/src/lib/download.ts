/** Characters that file systems refuse in names (Windows is the strictest). */
const UNSAFE_IN_FILE_NAMES = /[\\/:*?"<>|\u0000-\u001f]/g;

/** A file name built from user-entered text (a profile's name), made safe to save. */
export function safeFileName(name: string): string {
  return name.replace(UNSAFE_IN_FILE_NAMES, "-").trim() || "export";
}

/**
 * Saves `text` as a file through the webview's download of a Blob link. CSV gets a byte-order
 * mark so that spreadsheet programs read it as UTF-8.
 */
export function downloadTextFile(fileName: string, text: string, type = "text/csv;charset=utf-8"): void {
  const bom = type.startsWith("text/csv") ? "\uFEFF" : "";
  const url = URL.createObjectURL(new Blob([bom, text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = safeFileName(fileName);
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some engines.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
