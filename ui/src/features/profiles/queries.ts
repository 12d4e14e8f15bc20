import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ConnectionChoice, Profile, ProfileInput } from "../../bindings/profiles";
import * as ipc from "../../lib/ipc";
import { connectionKeys } from "../connections/queries";

export const profileKeys = {
  all: ["profiles"] as const,
  detail: (id: number) => ["profile", id] as const,
  defaultActivityStart: ["defaultActivityStart"] as const,
};

export function useProfiles() {
  return useQuery({ queryKey: profileKeys.all, queryFn: ipc.listProfiles });
}

export function useProfile(id: number) {
  return useQuery({ queryKey: profileKeys.detail(id), queryFn: () => ipc.getProfile(id) });
}

/** The default and earliest "Analyze user activity from" (60 days back), as RFC 3339. */
export function useDefaultActivityStart() {
  return useQuery({ queryKey: profileKeys.defaultActivityStart, queryFn: ipc.defaultActivityStart });
}

/** Puts a profile the backend returned into the cache and refreshes the lists it appears in. */
function useStoreProfile() {
  const queryClient = useQueryClient();
  return (profile: Profile) => {
    queryClient.setQueryData(profileKeys.detail(profile.id), profile);
    return Promise.all([
      queryClient.invalidateQueries({ queryKey: profileKeys.all }),
      queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
    ]);
  };
}

export function useCreateProfile() {
  const store = useStoreProfile();
  return useMutation({
    mutationFn: ({ input, connection }: { input: ProfileInput; connection: ConnectionChoice | null }) =>
      ipc.createProfile(input, connection),
    onSuccess: store,
  });
}

/** Create New Connection & Credential on a saved profile, or move it to another connection. */
export function useSetProfileConnection(id: number) {
  const store = useStoreProfile();
  return useMutation({
    mutationFn: (connection: ConnectionChoice) => ipc.setProfileConnection(id, connection),
    onSuccess: store,
  });
}

export function useUpdateProfile(id: number) {
  const store = useStoreProfile();
  return useMutation({ mutationFn: (input: ProfileInput) => ipc.updateProfile(id, input), onSuccess: store });
}

export function usePublishProfile(id: number) {
  const store = useStoreProfile();
  return useMutation({ mutationFn: () => ipc.publishProfile(id), onSuccess: store });
}

export function useStartDemo() {
  const store = useStoreProfile();
  return useMutation({ mutationFn: ipc.startDemo, onSuccess: store });
}

/** Validates, then refetches the profile, which carries the result (and keeps it while it applies). */
export function useValidateConnection(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => ipc.validateConnection(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: profileKeys.detail(id) }),
  });
}

/** Find the key's region: asks Smartsheet's other regions about the profile's refused key. */
export function useFindKeyRegion(id: number) {
  return useMutation({ mutationFn: () => ipc.findKeyRegion(id) });
}

export function useDeleteProfile(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => ipc.deleteProfile(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: profileKeys.detail(id) });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: profileKeys.all }),
        queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
      ]);
    },
  });
}
