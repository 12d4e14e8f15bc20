import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The Tauri shell loads http://localhost:5173 in development and ui/dist in release builds.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    // Tauri on Linux renders with WebKitGTK.
    target: "safari16",
    // One bundle, read from disk by the webview: its size costs no download.
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: "happy-dom",
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    // A guard against a hung test, not a measure of speed: the longest interaction tests
    // (5,000 rows, a dozen clicks and typing) take 2–4 s alone and more on a busy 2-core CI.
    testTimeout: 30_000,
  },
});
