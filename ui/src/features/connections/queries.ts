import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ConnectionUpdate } from "../../bindings/profiles";
import * as ipc from "../../lib/ipc";

export const connectionKeys = {
  all: ["connections"] as const,
  presets: ["presets"] as const,
};

export function useConnections({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: connectionKeys.all, queryFn: ipc.listConnections, enabled });
}

export function usePresets() {
  return useQuery({ queryKey: connectionKeys.presets, queryFn: ipc.connectionPresets, staleTime: Infinity });
}

/** Deletes a connection no profile uses (with its key in the keychain). */
export function useDeleteConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => ipc.deleteConnection(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

/** Saves a connection; every profile that uses it is refetched (a new URL or key voids validations). */
export function useUpdateConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, update }: { id: number; update: ConnectionUpdate }) => ipc.updateConnection(id, update),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
        queryClient.invalidateQueries({ queryKey: ["profiles"] }),
        queryClient.invalidateQueries({ queryKey: ["profile"] }),
      ]),
  });
}
