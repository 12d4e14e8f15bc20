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
  },
});
