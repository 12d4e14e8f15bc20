import { describe, expect, it } from "vitest";

import * as ipc from "./ipc";
import { IpcError } from "./ipc";
import { backendError, mockBackend } from "./mockBackend";

describe("ipc", () => {
  it("sends each command with its camelCase arguments and returns the result", async () => {
    const backend = mockBackend({
      validate_connection: () => ({
        validatedAt: "2026-11-28T09:30:00Z",
        ok: false,
        failure: "InvalidToken",
        message: "Smartsheet did not accept the API key (error 1002).",
        ownerUserId: null,
        ownerEmail: null,
        ownerName: null,
        ownerIsAdmin: null,
        organization: null,
        eventReporting: null,
      }),
    });
    const result = await ipc.validateConnection(3);
    expect(result.failure).toBe("InvalidToken");
    expect(backend.calls).toEqual([{ cmd: "validate_connection", args: { profileId: 3 } }]);
  });

  it("turns a rejected AppError into an IpcError with code, message and field", async () => {
    mockBackend({
      update_profile: () => {
        throw backendError("Validation", "Enter a Display Name for the profile.", "displayName");
      },
    });
    const error = await ipc
      .updateProfile(1, {
        displayName: "",
        downloadActivity: true,
        analyzeActivityFrom: null,
        reclaimSubscriptions: true,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({
      code: "Validation",
      message: "Enter a Display Name for the profile.",
      field: "displayName",
    });
  });

  it("turns any other rejection (a plain string from Tauri) into an Internal IpcError", async () => {
    mockBackend({
      list_profiles: () => {
        throw "Command list_profiles not found";
      },
    });
    await expect(ipc.listProfiles()).rejects.toMatchObject({
      name: "IpcError",
      code: "Internal",
      message: "Command list_profiles not found",
      field: null,
    });
  });
});
