import { describe, expect, it } from "vitest";

// Every source file's text, as Vite sees it.
const sources = import.meta.glob<string>("/src/**/*.{ts,tsx}", { query: "?raw", import: "default", eager: true });

const TAURI_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']@tauri-apps\//;

describe("IPC boundary", () => {
  it("detects static, side-effect and dynamic imports of @tauri-apps", () => {
    expect(TAURI_IMPORT.test(`import { invoke } from "@tauri-apps/api/core";`)).toBe(true);
    expect(TAURI_IMPORT.test(`import "@tauri-apps/api/core";`)).toBe(true);
    expect(TAURI_IMPORT.test(`const m = await import('@tauri-apps/api/core');`)).toBe(true);
    expect(TAURI_IMPORT.test(`import { invoke } from "../lib/ipc";`)).toBe(false);
  });

  it("lets only src/lib/ import @tauri-apps/*", () => {
    const files = Object.keys(sources);
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => !file.startsWith("/src/lib/") && TAURI_IMPORT.test(sources[file] ?? ""));
    expect(offenders).toEqual([]);
  });
});
